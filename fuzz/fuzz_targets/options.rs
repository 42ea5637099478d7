// Shared by the fuzz targets: options chosen by the first input byte.
use smsplan_text::{Boundaries, Language, Options, ReferenceSize};

pub fn options(byte: u8) -> Options {
    let mut o = Options::default();
    if byte & 1 != 0 {
        o = o.reference(ReferenceSize::Bits16);
    }
    if byte & 2 != 0 {
        o = o.boundaries(Boundaries::Graphemes);
    }
    if byte & 4 != 0 {
        o = o
            .allow_single_shift(Language::Turkish)
            .allow_locking_shift(Language::Turkish);
    }
    if byte & 8 != 0 {
        o = o.allow_single_shift(Language::Spanish);
    }
    if byte & 16 != 0 {
        o = o
            .allow_single_shift(Language::Portuguese)
            .allow_locking_shift(Language::Portuguese);
    }
    if byte & 32 != 0 {
        for l in Language::ALL {
            o = o.allow_single_shift(l).allow_locking_shift(l);
        }
    }
    o
}
