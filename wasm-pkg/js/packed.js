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
// The values of queueType, right and status that nearly every entry has, as the first
// words of every packed list: comparing with them is faster than a map lookup.
const COMMON_WORDS = ['general', 'special', 'special_correctional', 'sanatorium', 'none', 'first', 'extraordinary', 'queued'];

function commonWord(text) {
  switch (text) {
    case 'general': return 0;
    case 'special': return 1;
    case 'special_correctional': return 2;
    case 'sanatorium': return 3;
    case 'none': return 4;
    case 'first': return 5;
    case 'extraordinary': return 6;
    case 'queued': return 7;
    default: return -1;
  }
}
const encoder = new TextEncoder();

/** The packed form of `list` (see src/packed.rs), or null when it is not plain data. */
function packList(list) {
  if (!Array.isArray(list) || typeof list.toJSON === 'function') return null;
  const count = list.length;
  const ids = new Array(count);
  // `+=` builds a rope that the encoder flattens once: three times faster than join.
  let text = '';
  const entryLengths = new Uint32Array(2 * count);
  const codes = new Uint32Array(5 * count);
  const wordIndex = new Map(COMMON_WORDS.map((w, i) => [w, i]));
  const words = [...COMMON_WORDS];
  const word = (text) => {
    let index = wordIndex.get(text);
    if (index === undefined) {
      index = words.length;
      wordIndex.set(text, index);
      words.push(text);
    }
    return index;
  };
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
    codes[5 * i + 2] = word(birthDate);
    let code = commonWord(queueType);
    codes[5 * i + 1] = code >= 0 ? code : word(queueType);
    code = commonWord(right);
    codes[5 * i + 3] = code >= 0 ? code : word(right);
    code = commonWord(status);
    codes[5 * i + 4] = code >= 0 ? code : word(status);
  }
  const lengths = new Uint32Array(2 * count + words.length);
  lengths.set(entryLengths);
  for (let i = 0; i < words.length; i++) {
    lengths[2 * count + i] = words[i].length;
    text += words[i];
  }
  // JSON keeps an unpaired surrogate as an escape the rules refuse; UTF-8 cannot hold it.
  if (LONE_SURROGATE.test(text)) return null;
  return { bytes: encoder.encode(text), lengths, codes, ids, words };
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
  const a = b && packList(after);
  const change = a && core.explainPositionPacked(b.bytes, b.lengths, b.codes, a.bytes, a.lengths, a.codes, id, lang);
  return change === undefined || change === null ? core.explainPosition(before, after, id, lang) : change;
}
