// Draws the whole page again (after a change of language, snapshot or "now").

import { renderResults } from './card.js';
import { renderIin } from './iin.js';
import { state } from './state.js';
import { renderFooter, renderSnapshotStatus } from './status.js';

export function renderAll() {
  if (!state.rules) return;
  // Connected mode (served by the center): connected/ draws the page; the footer stays.
  if (state.connected) {
    state.connected.render();
    renderFooter();
    return;
  }
  renderIin();
  renderSnapshotStatus();
  renderResults();
  renderFooter();
}
