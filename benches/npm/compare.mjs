// Runs the generated corpus through the npm SMS counters people use, for
// benches/compare_npm.sh. Modes:
//   node compare.mjs inprocess CORPUS   throughput of each counter, in-process
//   node compare.mjs cli LIB            JSON lines in (stdin), JSON lines out (stdout)
//   node compare.mjs agree CORPUS OUT   segment counts of each counter vs smsplan's output
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import readline from 'node:readline';

const require = createRequire(import.meta.url);
const splitSms = require('split-sms');
const { SegmentedMessage } = require('sms-segments-calculator');
const { default: SmsCounter } = await import('sms-counter');

const counters = {
  'split-sms': (t) => splitSms.split(t).parts.length || 1,
  'sms-segments-calculator': (t) => new SegmentedMessage(t).segmentsCount,
  'sms-counter': (t) => SmsCounter.count(t).messages,
};

const readCorpus = (path) => readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

const [mode, a, b] = process.argv.slice(2);
if (mode === 'inprocess') {
  // Each counter runs over the corpus for at most ~3 s (some take minutes for all of it);
  // the rate is measured over the messages it got through.
  const corpus = readCorpus(a);
  for (const [name, count] of Object.entries(counters)) {
    let done = 0;
    let bytes = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    for (const t of corpus) {
      count(t);
      done++;
      bytes += Buffer.byteLength(t);
      if ((done & 255) === 0) {
        elapsed = Number(process.hrtime.bigint() - start) / 1e9;
        if (elapsed > 3) break;
      }
    }
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`${name} (in-process)\t${(bytes / elapsed / 1e6).toFixed(2)} MB/s\t${(done / elapsed).toFixed(0)} messages/s\tover ${done} messages`);
  }
} else if (mode === 'cli') {
  const count = counters[a];
  if (!count) throw new Error(`unknown counter ${a}`);
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out = [];
  for await (const line of rl) {
    const text = JSON.parse(line);
    const info = splitSms.split(text);
    out.push(JSON.stringify({ encoding: info.characterSet, segments: count(text), units: info.length, remaining: info.remainingInPart }));
    if (out.length >= 4096) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
  }
  if (out.length) process.stdout.write(out.join('\n') + '\n');
} else if (mode === 'agree') {
  const corpus = readCorpus(a);
  const ours = readFileSync(b, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).segments);
  const sample = corpus.slice(0, 3000);
  for (const [name, count] of Object.entries(counters)) {
    let differ = 0;
    let example = null;
    sample.forEach((t, i) => {
      if (count(t) !== ours[i]) { differ++; example ??= { text: t.slice(0, 60), theirs: count(t), ours: ours[i] }; }
    });
    console.log(`${name}: differs from smsplan on ${differ} of the first ${sample.length} messages${example ? ` e.g. ${JSON.stringify(example)}` : ''}`);
  }
} else {
  throw new Error('mode: inprocess | cli | agree');
}
