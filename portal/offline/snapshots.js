// The district snapshots (the demo's or the parent's files) and the page's "now".

import { astana, astanaInstant } from '../connected/util.js';
import { fetchJson } from './dom.js';
import { renderAll } from './render.js';
import { state } from './state.js';

const DEMO_MANIFEST = new URL('../demo/index.json', import.meta.url);

export function entriesOf(applications) {
  return applications.map((a) => ({
    id: a.id,
    district: a.district,
    queueType: a.queueType,
    birthDate: a.child.birthDate,
    right: a.right,
    registeredAt: a.registeredAt,
    status: a.status,
  }));
}

function checkSnapshot(snapshot) {
  if (!snapshot || typeof snapshot !== 'object' || Array.isArray(snapshot)) throw new Error('not a JSON object');
  if (typeof snapshot.district !== 'string') throw new Error('no "district"');
  if (typeof snapshot.generatedAt !== 'string' || Number.isNaN(Date.parse(snapshot.generatedAt))) {
    throw new Error('no valid "generatedAt"');
  }
  if (!Array.isArray(snapshot.applications)) throw new Error('no "applications" list');
  for (const a of snapshot.applications) {
    if (!a || typeof a.id !== 'string' || !a.child || typeof a.child.iin !== 'string') {
      throw new Error('an application without "id" or "child.iin"');
    }
  }
  // The rules validate every application; a malformed one throws INVALID_APPLICATION.
  state.rules.rankQueue(entriesOf(snapshot.applications));
  return snapshot;
}

export function currentSnapshot() {
  return state.snapshots.at(-1) ?? null;
}

export function previousSnapshot() {
  const current = currentSnapshot();
  if (!current) return null;
  for (let i = state.snapshots.length - 2; i >= 0; i--) {
    const s = state.snapshots[i];
    if (s.district === current.district && Date.parse(s.generatedAt) < Date.parse(current.generatedAt)) return s;
  }
  return null;
}

function addSnapshots(list) {
  const checked = list.map(checkSnapshot).sort((a, b) => Date.parse(a.generatedAt) - Date.parse(b.generatedAt));
  state.snapshots.push(...checked);
  state.previews.clear();
  state.errors.clear();
  state.snapshotError = null;
}

export async function loadDemo() {
  try {
    const manifest = await fetchJson(DEMO_MANIFEST);
    const snapshots = await Promise.all(manifest.snapshots.map((file) => fetchJson(new URL(`../demo/${file}`, import.meta.url))));
    state.snapshots = [];
    addSnapshots(snapshots);
    state.demoChildren = manifest.children ?? [];
    if (state.asOfSource !== 'param') setAsOf(currentSnapshot().generatedAt, 'demo');
  } catch (e) {
    state.snapshotError = e.code ? `${e.code}: ${e.message}` : e.message;
  }
  renderAll();
}

/**
 * The JSON of a snapshot file: plain JSON, or the center's signed document
 * (`"KZKD" | u32 LE length | JSON | 64-byte signature`, changelog/src/document.rs). The page
 * has no center key to check the signature; the kiosk does that.
 */
function snapshotText(bytes) {
  const magic = [0x4b, 0x5a, 0x4b, 0x44];
  if (bytes.length >= 8 && magic.every((b, i) => bytes[i] === b)) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
    if (bytes.length !== 8 + len + 64) throw new Error('damaged signed document');
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + len));
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

export async function loadFiles(files) {
  try {
    const buffers = await Promise.all([...files].map((f) => f.arrayBuffer()));
    const snapshots = buffers.map((buffer, i) => {
      try {
        return JSON.parse(snapshotText(new Uint8Array(buffer)));
      } catch (e) {
        throw new Error(`${files[i].name}: ${e.message}`);
      }
    });
    addSnapshots(snapshots);
    state.demoChildren = [];
    if (state.asOfSource === 'demo') setAsOf(astanaInstant(Date.now()), 'clock');
  } catch (e) {
    state.snapshotError = e.code ? `${e.code}: ${e.message}` : e.message;
  }
  renderAll();
}

// Free places in free choice: the snapshot's own list, which the center's rules computed.
// A snapshot without one offers no choice: the page never counts places itself (the count
// is the rules' — published places less directions, departures freeing none).
export function freePlacesOf(snapshot) {
  if (!Array.isArray(snapshot.freePlaces)) return [];
  return snapshot.freePlaces
    .map((p) => ({ kindergarten: p.kindergarten, language: p.language, groupYear: p.groupYear, free: p.free ?? p.count ?? 0 }))
    .filter((p) => typeof p.kindergarten === 'string' && typeof p.language === 'string' && Number.isInteger(p.groupYear));
}

export function setAsOf(instant, source) {
  state.asOf = instant;
  state.asOfSource = source;
  state.previews.clear();
  state.errors.clear();
}

export function asOfInputValue() {
  const { date, time } = astana(state.asOf);
  return `${date}T${time.slice(0, 5)}`;
}
