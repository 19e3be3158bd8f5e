// Reads a FIT file with Garmin's own decoder (@garmin/fitsdk) and compares it with what the
// record says: integrity (header, sizes, CRC), no decoding errors, total distance and timer
// duration, lap count and each lap's distance, sport. Usage: node check_fitsdk.mjs FIT JSON
import { readFileSync } from 'node:fs';
import { Decoder, Stream } from '@garmin/fitsdk';

const [fitPath, jsonPath] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(jsonPath, 'utf8'));
const decoder = new Decoder(Stream.fromBuffer(readFileSync(fitPath)));
const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const near = (a, b, tolerance) => Math.abs(a - b) <= tolerance;

check(decoder.isFIT(), 'not a FIT file');
check(decoder.checkIntegrity(), 'integrity check failed');
const { messages, errors } = decoder.read();
check(errors.length === 0, `decoder errors: ${errors.map(String).join('; ')}`);

const [session] = messages.sessionMesgs ?? [];
const laps = messages.lapMesgs ?? [];
const records = messages.recordMesgs ?? [];
check(messages.fileIdMesgs?.[0]?.type === 'activity', 'file_id type is not activity');
check(session !== undefined, 'no session');
if (session) {
  check(near(session.totalDistance, expected.distance_m, 0.01),
        `session distance ${session.totalDistance}, expected ${expected.distance_m}`);
  check(near(session.totalTimerTime, expected.duration_s, 0.001),
        `session timer time ${session.totalTimerTime}, expected ${expected.duration_s}`);
  check(session.sport === (expected.walk ? 'walking' : 'running'), `sport ${session.sport}`);
  check(session.subSport === 'treadmill', `sub_sport ${session.subSport}`);
  check(session.numLaps === expected.laps_m.length, `num_laps ${session.numLaps}`);
  check(session.startTime.getTime() === expected.start_unix_s * 1000, 'session start time');
}
check(laps.length === expected.laps_m.length, `${laps.length} laps, expected ${expected.laps_m.length}`);
laps.forEach((lap, i) => check(near(lap.totalDistance, expected.laps_m[i], 0.01),
                               `lap ${i} distance ${lap.totalDistance}, expected ${expected.laps_m[i]}`));
const lapSum = laps.reduce((sum, lap) => sum + lap.totalDistance, 0);
check(near(lapSum, expected.distance_m, 0.01 * laps.length), `laps sum to ${lapSum}`);
check(records.length === expected.samples.length, `${records.length} records`);
const last = records.at(-1);
const lastSample = expected.samples.at(-1);
check(last && near(last.distance, lastSample[2], 0.01), `last record distance ${last?.distance}`);
check(last && last.timestamp.getTime() === lastSample[0] * 1000, 'last record timestamp');
check((messages.activityMesgs ?? []).length === 1, 'activity message count');

if (failures.length > 0) {
  for (const f of failures) console.error(`check_fitsdk: ${fitPath}: ${f}`);
  process.exit(1);
}
console.log(`check_fitsdk: ${fitPath}: ${records.length} records, ${laps.length} laps match`);
