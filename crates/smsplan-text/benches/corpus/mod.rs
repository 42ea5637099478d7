//! A seeded, generated corpus of SMS texts shared by the fragment benchmarks, the
//! `fragment_corpus` example and `benches/compare_npm.sh`: short GSM notices, French
//! marketing text with accents, emoji, CJK, and long texts with extension characters.
//! No real people or messages.

/// SplitMix64: a small, fixed PRNG so the corpus is the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
}

const EN: &[&str] = &[
    "your",
    "order",
    "has",
    "shipped",
    "today",
    "sale",
    "ends",
    "Sunday",
    "code",
    "WINTER20",
    "reply",
    "STOP",
    "to",
    "opt",
    "out",
    "free",
    "delivery",
    "on",
    "all",
    "orders",
    "over",
    "$50",
    "new",
    "arrivals",
    "in",
    "store",
    "now",
    "appointment",
    "confirmed",
    "for",
    "Monday",
    "at",
    "10:30",
    "call",
    "us",
    "0800 123 456",
    "thanks!",
    "-20%",
];
const FR: &[&str] = &[
    "Bonjour",
    "soldes",
    "d'hiver",
    "jusqu'à",
    "-30%",
    "sur",
    "toute",
    "la",
    "collection",
    "été",
    "à",
    "là",
    "où",
    "très",
    "réduction",
    "fête",
    "Noël",
    "cadeau",
    "offert",
    "dès",
    "50€",
    "d'achat",
    "livraison",
    "gratuite",
    "élégance",
    "première",
    "dernière",
    "chance",
    "Désabonnement",
    "STOP",
    "36111",
    "français",
    "ça",
    "leçon",
];
const EMOJI: &[&str] = &[
    "🎉",
    "🎁",
    "❤️",
    "👍",
    "🔥",
    "✨",
    "😀",
    "🛍️",
    "👨\u{200D}👩\u{200D}👧",
    "🇫🇷",
];
const CJK: &[&str] = &[
    "冬の",
    "セール",
    "開催中",
    "全品",
    "20%オフ",
    "配信停止",
    "は",
    "STOP",
    "と返信",
    "してください",
    "新年",
    "快乐",
    "优惠",
];
const LONG: &[&str] = &[
    "Dear",
    "customer,",
    "our",
    "[new]",
    "collection",
    "{limited}",
    "edition",
    "arrives",
    "this",
    "week",
    "with",
    "prices",
    "from",
    "9€",
    "and",
    "free",
    "returns",
    "~",
    "see",
    "terms",
    "at",
    "example.com/terms",
    "|",
    "STOP",
    "36111",
];

fn words(rng: &mut Rng, pool: &[&str], count: usize, out: &mut String) {
    for i in 0..count {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(pool));
    }
}

/// `count` messages, the same for the same `seed`.
pub fn messages(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..count)
        .map(|_| {
            let mut m = String::new();
            match rng.below(100) {
                0..=34 => {
                    let n = 6 + rng.below(18);
                    words(&mut rng, EN, n, &mut m);
                }
                35..=54 => {
                    let n = 8 + rng.below(20);
                    words(&mut rng, FR, n, &mut m);
                }
                55..=69 => {
                    let n = 5 + rng.below(12);
                    words(&mut rng, EN, n, &mut m);
                    for _ in 0..1 + rng.below(3) {
                        m.push(' ');
                        m.push_str(rng.pick(EMOJI));
                    }
                }
                70..=79 => {
                    let n = 6 + rng.below(20);
                    words(&mut rng, CJK, n, &mut m);
                }
                _ => {
                    let n = 60 + rng.below(200);
                    words(&mut rng, LONG, n, &mut m);
                }
            }
            m
        })
        .collect()
}
