// `rankQueue` and `explainPosition` as the package exports them: a list of plain
// application objects is packed into three typed arrays (format: src/packed.rs) and
// ranked in WebAssembly, and the answer comes back as numbers from which the result
// objects are built here. A list of 100,000 thus crosses without JSON.stringify of the
// input and JSON.parse of the answer, which took most of the time.
//
// Only lists that are exactly plain data are packed: every element an object with the
// seven string fields and nothing else, no `toJSON`, no unpaired surrogate. Anything else,
// and any list the rules refuse (a bad date, a duplicate id), goes to the module's own
// `rankQueue`/`explainPosition`, which reads the list as JSON and gives the same answer or
// the error with its exact wording.
//
// build.sh puts this file into pkg/node/kezek.js and pkg/web/kezek.js, after a line that
// binds `core` to the wasm-bindgen module.

const LONE_SURROGATE = /\p{Cs}/u;
const encoder = new TextEncoder();
// The UTF-8 of the last list packed, reused by the next (a list of 100,000 needs 3.5 MB,
// which a fresh array would first zero); wasm-bindgen copies it into the module's memory.
let scratch = new Uint8Array(0);

/** The UTF-8 of `text` (a view of `scratch`), or null when it holds an unpaired surrogate. */
function utf8(text) {
  // At most three bytes per UTF-16 unit.
  if (scratch.length < 3 * text.length) scratch = new Uint8Array(3 * text.length);
  const { written } = encoder.encodeInto(text, scratch);
  // As many bytes as units: all is ASCII, no surrogate. Otherwise look for an unpaired one:
  // JSON keeps it as an escape the rules refuse; UTF-8 cannot hold it.
  return written === text.length || !LONE_SURROGATE.test(text) ? scratch.subarray(0, written) : null;
}

/** The packed form of `list` (see src/packed.rs), or null when it is not plain data. */
function packList(list) {
  if (!Array.isArray(list) || typeof list.toJSON === 'function') return null;
  const count = list.length;
  const ids = new Array(count);
  // `+=` builds a rope that the encoder flattens once: three times faster than join.
  let text = '';
  const entryLengths = new Uint32Array(2 * count);
  const codes = new Uint32Array(5 * count);
  // Word -> index: a prototype-less object is twice as fast here as a Map, and as fast as
  // comparing with the few values of queueType, right and status.
  const wordIndex = Object.create(null);
  const words = [];
  const word = (text) => (wordIndex[text] ??= words.push(text) - 1);
  for (let i = 0; i < count; i++) {
    const entry = list[i];
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof entry.toJSON === 'function') {
      return null;
    }
    const keys = Object.keys(entry);
    if (keys.length !== 7) return null;
    let id, district, queueType, birthDate, right, registeredAt, status;
    if (
      keys[0] === 'id' && keys[1] === 'district' && keys[2] === 'queueType' && keys[3] === 'birthDate' &&
      keys[4] === 'right' && keys[5] === 'registeredAt' && keys[6] === 'status'
    ) {
      // The usual order (a snapshot's, RankInput's): read by name, much faster than by key.
      ({ id, district, queueType, birthDate, right, registeredAt, status } = entry);
    } else {
      for (const key of keys) {
        switch (key) {
          case 'id': id = entry.id; break;
          case 'district': district = entry.district; break;
          case 'queueType': queueType = entry.queueType; break;
          case 'birthDate': birthDate = entry.birthDate; break;
          case 'right': right = entry.right; break;
          case 'registeredAt': registeredAt = entry.registeredAt; break;
          case 'status': status = entry.status; break;
          default: return null;
        }
      }
    }
    if (
      typeof id !== 'string' || typeof district !== 'string' || typeof queueType !== 'string' ||
      typeof birthDate !== 'string' || typeof right !== 'string' || typeof registeredAt !== 'string' ||
      typeof status !== 'string'
    ) {
      return null;
    }
    // Seven own keys, each a known field: all seven are set.
    ids[i] = id;
    text += id;
    text += registeredAt;
    entryLengths[2 * i] = id.length;
    entryLengths[2 * i + 1] = registeredAt.length;
    codes[5 * i] = word(district);
    codes[5 * i + 1] = word(queueType);
    codes[5 * i + 2] = word(birthDate);
    codes[5 * i + 3] = word(right);
    codes[5 * i + 4] = word(status);
  }
  const lengths = new Uint32Array(2 * count + words.length);
  lengths.set(entryLengths);
  for (let i = 0; i < words.length; i++) {
    lengths[2 * count + i] = words[i].length;
    text += words[i];
  }
  const bytes = utf8(text);
  return bytes && { bytes, lengths, codes, ids, words };
}

function rankQueue(applications) {
  const packed = packList(applications);
  const rows = packed && core.rankQueuePacked(packed.bytes, packed.lengths, packed.codes);
  if (!rows) return core.rankQueue(applications);
  const { ids, words, codes } = packed;
  const ranked = new Array(rows.length / 3);
  for (let r = 0, k = 0; k < rows.length; r++, k += 3) {
    const entry = rows[k];
    ranked[r] = {
      id: ids[entry],
      district: words[codes[5 * entry]],
      queueType: words[codes[5 * entry + 1]],
      groupYear: rows[k + 1],
      position: rows[k + 2],
    };
  }
  return ranked;
}

function explainPosition(before, after, id, lang) {
  const b = packList(before);
  // Its UTF-8 copied out of `scratch`, which packing `after` reuses.
  if (b) b.bytes = b.bytes.slice();
  const a = b && packList(after);
  const change = a && core.explainPositionPacked(b.bytes, b.lengths, b.codes, a.bytes, a.lengths, a.codes, id, lang);
  return change === undefined || change === null ? core.explainPosition(before, after, id, lang) : change;
}
