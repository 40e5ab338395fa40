// Connected mode of the parents' page: the center serves the page and the parents' API
// (docs/PARENTS.md). Sign in with a one-time code, link children, register a child, follow
// the applications and act on them. Every step is previewed with the rules compiled to
// WebAssembly (the same rules as the kiosks and the center); the center's answer is what
// counts. app.js hands over here when api.js's detectConnected finds the center.

import { api, ApiError, setCsrf, setLang } from './api.js';
import { applicationsView } from './applications.js';
import { registerView } from './register.js';
import { fmtDate, fmtInstant } from './util.js';

const VIEWS = ['applications', 'children', 'register'];

export async function startConnected(ctx) {
  const { t, h, rules } = ctx;
  const s = {
    me: ctx.me.me, // { parent, csrf, children, applications } or null
    step: 'iin', // iin | code (signed out)
    iin: '',
    code: '',
    codeInfo: null, // { expiresInSeconds, sentAt }
    error: null, // { code, message, retryAfter }
    notice: null, // text for the status line
    busy: false,
    view: 'applications',
    childIin: '',
  };

  // The page's own parts: demo panels hidden, one region for this mode.
  for (const el of document.querySelectorAll('[data-mode="demo"]')) el.hidden = true;
  const root = h('div', { id: 'connected', class: 'connected', 'data-testid': 'connected' });
  const status = h('p', { id: 'c-status', class: 'sr-status', role: 'status', 'aria-live': 'polite' });
  document.getElementById('main').append(status, root);

  const page = {
    ctx,
    s,
    render,
    rerender: render,
    announce,
    failure,
    call,
    refresh,
    /** Replaces one application after the center's answer. */
    updateApplication(view) {
      const list = s.me.applications ?? [];
      const i = list.findIndex((a) => a.id === view.id);
      if (i >= 0) list[i] = view;
      else list.push(view);
      s.me.applications = list;
    },
  };
  const apps = applicationsView(page);
  const register = registerView(page);

  function announce(text) {
    s.notice = text;
    status.textContent = text;
  }

  /** A refusal of the center as a notice: its localized message, its code, and a wait on THROTTLED. */
  function failure(error) {
    if (!error) return null;
    const wait = error.code === 'THROTTLED' && error.retryAfter ? ` ${t('c.error.wait', { minutes: Math.ceil(error.retryAfter / 60), seconds: error.retryAfter })}` : '';
    const text = error.code === 'NETWORK' ? t('c.error.network') : error.message;
    return h(
      'p',
      { class: 'notice notice--error', role: 'alert', 'data-testid': 'error', 'data-code': error.code },
      text,
      wait,
      ' ',
      h('span', { class: 'code', text: `(${error.code})` }),
    );
  }

  /** A request; an ended session goes back to sign-in. */
  async function call(method, url, body) {
    try {
      return await api(method, url, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && s.me) {
        s.me = null;
        s.step = 'iin';
        s.error = e;
        announce(t('c.signin.ended'));
        render();
      }
      throw e;
    }
  }

  async function refresh() {
    const me = await call('GET', '/v1/parent/me');
    s.me = me;
    setCsrf(me.csrf);
    return me;
  }

  async function run(task) {
    if (s.busy) return;
    s.busy = true;
    s.error = null;
    render();
    try {
      await task();
    } catch (e) {
      s.error = e instanceof ApiError ? e : new ApiError(0, 'ERROR', e.message);
    } finally {
      s.busy = false;
      render();
    }
  }

  // -------------------------------------------------------------------------------------
  // Signed out: IIN → code → signed in

  function iinNote(value, idPrefix) {
    if (!value) return h('p', { id: `${idPrefix}-note`, class: 'muted small', text: t('c.iin.hint') });
    if (/^\d{1,11}$/.test(value)) return h('p', { id: `${idPrefix}-note`, class: 'muted small', text: t('iin.more', { typed: value.length }) });
    const check = rules.validateIin(value, ctx.lang());
    return check.valid
      ? h('p', { id: `${idPrefix}-note`, class: 'small ok-text', text: `✓ ${t('iin.valid')}` })
      : h('p', { id: `${idPrefix}-note`, class: 'small error-text', 'data-code': check.error.code, text: check.error.message });
  }

  /** An IIN field that checks itself with the rules as it is typed (without re-drawing the page). */
  function iinField(id, label, value, onValue) {
    const note = iinNote(value, id);
    const input = h('input', {
      id,
      class: 'iin-input',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'off',
      spellcheck: 'false',
      maxlength: 12,
      value,
      'aria-describedby': `${id}-note`,
      oninput: (e) => {
        onValue(e.target.value.trim());
        const next = iinNote(e.target.value.trim(), id);
        note.replaceWith(next);
      },
    });
    const wrap = h('div', {}, h('label', { class: 'field-label', for: id, text: label }), input, note);
    return { wrap, input, valid: () => rules.validateIin(input.value.trim(), ctx.lang()).valid };
  }

  function signInPanel() {
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'c-signin-heading', 'data-testid': 'signin' });
    panel.append(h('h2', { id: 'c-signin-heading', text: t('c.signin.heading') }));
    if (s.step === 'iin') {
      panel.append(h('p', { class: 'muted', text: t('c.signin.explain') }));
      const field = iinField('c-parent-iin', t('c.signin.iin'), s.iin, (v) => {
        s.iin = v;
      });
      const form = iinForm(field, { testid: 'send-code', label: t('c.signin.send') }, async () => {
        const answer = await api('POST', '/v1/parent/code', { iin: s.iin, lang: ctx.lang() });
        s.codeInfo = { expiresInSeconds: answer?.expiresInSeconds ?? 300, sentAt: Date.now() };
        s.step = 'code';
        s.code = '';
        announce(t('c.signin.sent', { minutes: Math.round(s.codeInfo.expiresInSeconds / 60) }));
        focusAfter('#c-code');
      });
      panel.append(form);
    } else {
      panel.append(
        h('p', { 'data-testid': 'code-sent', text: t('c.signin.sentTo', { iin: s.iin, minutes: Math.round((s.codeInfo?.expiresInSeconds ?? 300) / 60) }) }),
      );
      const code = h('input', {
        id: 'c-code',
        class: 'iin-input code-input',
        type: 'text',
        inputmode: 'numeric',
        autocomplete: 'one-time-code',
        pattern: '[0-9]{6}',
        maxlength: 6,
        value: s.code,
        'aria-describedby': 'c-code-hint',
        oninput: (e) => {
          s.code = e.target.value.replace(/\D/g, '');
        },
      });
      const codeIsWellFormed = () => {
        if (/^\d{6}$/.test(s.code)) return true;
        code.setAttribute('aria-invalid', 'true');
        s.error = new ApiError(0, 'CODE_FORMAT', t('c.signin.codeFormat'));
        render();
        focusAfter('#c-code');
        return false;
      };
      const signIn = async () => {
        const answer = await api('POST', '/v1/parent/session', { iin: s.iin, code: s.code });
        setCsrf(answer.csrf);
        await refresh();
        s.code = '';
        s.view = 'applications';
        announce(t('c.signin.done'));
        focusAfter('#c-heading');
      };
      const again = h('button', {
        type: 'button',
        class: 'button button--secondary',
        text: t('c.signin.again'),
        disabled: s.busy,
        onclick: () => {
          s.step = 'iin';
          s.error = null;
          render();
          focusAfter('#c-parent-iin');
        },
      });
      panel.append(
        checkedForm(
          { check: codeIsWellFormed, submit: signIn, button: { testid: 'sign-in', label: t('c.signin.submit') }, after: h('div', { class: 'button-row' }, again) },
          h('label', { class: 'field-label', for: 'c-code', text: t('c.signin.code') }),
          code,
          h('p', { id: 'c-code-hint', class: 'muted small', text: t('c.signin.codeHint') }),
        ),
      );
    }
    const error = failure(s.error);
    if (error) panel.append(error);
    return panel;
  }

  // -------------------------------------------------------------------------------------
  // Signed in

  function header() {
    const parent = s.me.parent ?? {};
    return h(
      'section',
      { class: 'panel session-bar', 'aria-labelledby': 'c-heading' },
      h('div', { class: 'session-bar__who' }, h('h2', { id: 'c-heading', tabindex: '-1', text: t('c.session.heading') }), h('p', { class: 'muted small', 'data-testid': 'parent-iin', text: t('c.session.who', { iin: parent.iin ?? '' }) })),
      h('button', {
        type: 'button',
        class: 'button button--secondary',
        'data-testid': 'sign-out',
        disabled: s.busy,
        text: t('c.session.signOut'),
        onclick: () =>
          run(async () => {
            try {
              await api('DELETE', '/v1/parent/session');
            } finally {
              setCsrf(null);
              s.me = null;
              s.step = 'iin';
              s.code = '';
              announce(t('c.session.signedOut'));
              focusAfter('#c-parent-iin');
            }
          }),
      }),
    );
  }

  function nav() {
    return h(
      'nav',
      { class: 'c-nav', 'aria-label': t('c.nav.label') },
      VIEWS.map((view) =>
        h('button', {
          type: 'button',
          class: 'c-nav__item',
          'data-view': view,
          'aria-current': s.view === view ? 'page' : null,
          text: t(`c.nav.${view}`),
          onclick: () => {
            s.view = view;
            s.error = null;
            announce('');
            render();
            focusAfter(`[data-view="${view}"]`);
          },
        }),
      ),
    );
  }

  function childrenPanel() {
    const children = s.me.children ?? [];
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'c-children-heading', 'data-testid': 'children' });
    panel.append(h('h2', { id: 'c-children-heading', text: t('c.children.heading') }));
    if (!children.length) panel.append(h('p', { class: 'muted', text: t('c.children.none') }));
    else {
      panel.append(
        h(
          'ul',
          { class: 'child-list' },
          children.map((c) => {
            const check = rules.validateIin(c.iin, ctx.lang());
            const apps = (s.me.applications ?? []).filter((a) => a.child?.iin === c.iin);
            return h(
              'li',
              { class: 'child-item', 'data-child': c.iin },
              h('span', { class: 'child-item__iin', text: c.iin }),
              h(
                'span',
                { class: 'muted small' },
                c.name ? `${c.name} · ` : '',
                check.valid ? `${t('iin.birthDate')}: ${fmtDate(check.birthDate)} · ` : '',
                c.linkedAt ? `${t('c.children.linkedAt', { date: fmtInstant(c.linkedAt) })} · ` : '',
                apps.length ? t('c.children.applications', { n: apps.length }) : t('c.children.noApplication'),
              ),
            );
          }),
        ),
      );
    }
    panel.append(h('h3', { class: 'subheading', text: t('c.children.link') }), h('p', { class: 'muted small', text: t('c.children.linkExplain') }));
    const field = iinField('c-child-iin', t('iin.label'), s.childIin, (v) => {
      s.childIin = v;
    });
    panel.append(
      iinForm(field, { testid: 'link-child', label: t('c.children.linkButton') }, async () => {
        const answer = await call('POST', '/v1/parent/children', { childIin: s.childIin });
        await refresh();
        announce(t('c.children.linked', { iin: answer?.child?.iin ?? s.childIin }));
        s.childIin = '';
        focusAfter(`[data-child="${answer?.child?.iin ?? ''}"]`);
      }),
    );
    const error = failure(s.error);
    if (error) panel.append(error);
    return panel;
  }

  /** A form of `fields` and a submit button (then `after`): on submit `check()` runs first
   * (it marks what is wrong and answers false), then `submit` (busy state and errors handled
   * by `run`). */
  function checkedForm({ check, submit, button, after = null }, ...fields) {
    return h(
      'form',
      {
        class: 'stack',
        novalidate: true,
        onsubmit: (e) => {
          e.preventDefault();
          if (check()) run(submit);
        },
      },
      ...fields,
      h('button', { type: 'submit', class: 'button button--primary', 'data-testid': button.testid, disabled: s.busy, text: button.label }),
      after,
    );
  }

  /** A form of one IIN field: an invalid IIN is marked and focused, a valid one is submitted. */
  function iinForm(field, button, submit) {
    const check = () => {
      if (field.valid()) return true;
      field.input.setAttribute('aria-invalid', 'true');
      field.input.focus();
      return false;
    };
    return checkedForm({ check, submit, button }, field.wrap);
  }

  function focusAfter(selector) {
    requestAnimationFrame(() => document.querySelector(selector)?.focus());
  }
  page.focusAfter = focusAfter;
  page.run = run;

  // -------------------------------------------------------------------------------------

  function render() {
    setLang(ctx.lang());
    const lead = document.querySelector('.lead');
    if (lead) lead.textContent = t('c.lead');
    const local = document.getElementById('footer-local');
    if (local) local.textContent = t('c.footer');
    root.replaceChildren();
    root.setAttribute('aria-busy', String(s.busy));
    if (!s.me) {
      root.append(signInPanel());
      return;
    }
    root.append(header(), nav());
    if (s.view === 'children') root.append(childrenPanel());
    else if (s.view === 'register') root.append(register.render());
    else root.append(apps.render());
  }

  if (s.me) {
    setCsrf(s.me.csrf);
    apps.load();
  }
  return { render };
}
