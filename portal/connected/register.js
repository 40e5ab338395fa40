// "Register a child": the seed 002 form for a linked child, with the signed-in parent as the
// applicant. The rules check it on the device first (`apply` of a `register` command, which
// also gives the queue and group year), then the center registers it and numbers it.

import { domId, fmtDate, named, nowInstant, rulesApplication } from './util.js';

const QUEUE_TYPES = ['general', 'special_correctional', 'special', 'sanatorium'];
const KINSHIPS = ['mother', 'father', 'guardian', 'grandparent', 'other'];
const RIGHTS = ['none', 'first', 'extraordinary'];

export function registerView(page) {
  const { ctx, s } = page;
  const { t, h, rules } = ctx;
  const form = {
    district: 'KOK',
    queueType: 'general',
    childIin: '',
    childName: '',
    birthDate: '',
    applicantName: '',
    kinship: 'mother',
    phone: '',
    email: '',
    residenceKind: 'permanent',
    address: '',
    right: 'none',
    rightCategory: '',
    rightDocument: '',
    nonResident: false,
    nonResidentDocuments: '',
  };
  let check = null; // { ok, result } or { error, field }

  function newApplication() {
    const a = {
      district: form.district,
      queueType: form.queueType,
      childIin: form.childIin,
      childName: form.childName.trim(),
      birthDate: form.birthDate,
      applicant: { iin: s.me.parent?.iin ?? '', name: form.applicantName.trim(), kinship: form.kinship, phone: form.phone.trim() },
      residence: { kind: form.residenceKind, address: form.address.trim() },
      nonResident: form.nonResident,
      right: form.right,
    };
    if (form.email.trim()) a.applicant.email = form.email.trim();
    if (form.nonResident) {
      a.nonResidentDocuments = form.nonResidentDocuments
        .split('\n')
        .map((x) => x.trim())
        .filter(Boolean);
    }
    if (form.right !== 'none') {
      a.rightCategory = form.rightCategory;
      if (form.rightDocument.trim()) a.rightDocument = form.rightDocument.trim();
    }
    return a;
  }

  /** The rules' verdict on the form, on this device (the center numbers and re-checks it). */
  function validate() {
    try {
      const result = rules.apply(null, { type: 'register', application: { id: 'PREVIEW', ...newApplication() } }, nowInstant(), { lang: ctx.lang() });
      check = { ok: true, result };
    } catch (e) {
      check = { error: `${e.message}${e.code ? ` (${e.code})` : ''}`, field: e.detail?.field };
    }
    return check;
  }

  const bind = (key, transform = (v) => v) => (e) => {
    form[key] = transform(e.target.type === 'checkbox' ? e.target.checked : e.target.value);
    check = null;
  };

  function field(key, label, input, hint) {
    const id = `reg-${key}`;
    input.id = id;
    if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
    return h('div', { class: 'field' }, h('label', { class: 'field-label', for: id, text: label }), input, hint ? h('p', { id: `${id}-hint`, class: 'muted small', text: hint }) : null);
  }

  function select(key, values, text, onchange) {
    return h(
      'select',
      {
        onchange: (e) => {
          bind(key)(e);
          if (onchange) onchange();
        },
      },
      values.map((v) => h('option', { value: v, selected: form[key] === v, text: text(v) })),
    );
  }

  const text = (key, attrs = {}) => h('input', { type: 'text', value: form[key], oninput: bind(key), ...attrs });

  function render() {
    const children = s.me.children ?? [];
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'c-reg-heading', 'data-testid': 'register' });
    panel.append(h('h2', { id: 'c-reg-heading', text: t('c.reg.heading') }), h('p', { class: 'muted', text: t('c.reg.explain') }));
    if (!children.length) {
      panel.append(h('p', { class: 'notice', text: t('c.reg.linkFirst') }));
      return panel;
    }
    if (!children.some((c) => c.iin === form.childIin)) {
      // The first child without an application that still holds its place (the rules: a final status does not).
      const holdsPlace = (a) => !rules.applicationInfo(rulesApplication(a)).final;
      const unregistered = children.find((c) => !(s.me.applications ?? []).some((a) => a.child?.iin === c.iin && holdsPlace(a)));
      form.childIin = (unregistered ?? children[0]).iin;
      form.birthDate = '';
    }
    if (!form.birthDate) {
      const v = rules.validateIin(form.childIin, ctx.lang());
      if (v.valid) form.birthDate = v.birthDate;
    }
    const categories = ctx.categories.filter((c) => c.right === form.right);
    if (form.right !== 'none' && !categories.some((c) => c.code === form.rightCategory)) form.rightCategory = categories[0]?.code ?? '';

    const rerender = () => {
      check = null;
      page.render();
    };
    const child = h(
      'fieldset',
      { class: 'group' },
      h('legend', { text: t('c.reg.child') }),
      field(
        'childIin',
        t('c.reg.childIin'),
        select('childIin', children.map((c) => c.iin), (iin) => iin, () => {
          form.birthDate = '';
          rerender();
        }),
        t('c.reg.childIinHint'),
      ),
      field('childName', t('c.reg.childName'), text('childName', { autocomplete: 'off' })),
      field('birthDate', t('c.reg.birthDate'), h('input', { type: 'date', value: form.birthDate, oninput: bind('birthDate') }), t('c.reg.birthDateHint')),
    );
    const queue = h(
      'fieldset',
      { class: 'group' },
      h('legend', { text: t('c.reg.queue') }),
      field('district', t('field.district'), select('district', ctx.districts.map((d) => d.code), (code) => named(ctx.districts.find((d) => d.code === code)?.name, ctx.lang(), code))),
      field('queueType', t('c.reg.queueType'), select('queueType', QUEUE_TYPES, (q) => t(`queueType.${q}`))),
    );
    const applicant = h(
      'fieldset',
      { class: 'group' },
      h('legend', { text: t('c.reg.applicant') }),
      h('p', { class: 'small' }, `${t('c.reg.applicantIin')}: `, h('strong', { text: s.me.parent?.iin ?? '' })),
      field('applicantName', t('c.reg.applicantName'), text('applicantName', { autocomplete: 'name' })),
      field('kinship', t('c.reg.kinship'), select('kinship', KINSHIPS, (k) => t(`c.kinship.${k}`))),
      field('phone', t('c.reg.phone'), text('phone', { type: 'tel', autocomplete: 'tel', inputmode: 'tel', placeholder: '+7 7__ ___ __ __' })),
      field('email', t('c.reg.email'), text('email', { type: 'email', autocomplete: 'email', inputmode: 'email' }), t('c.reg.optional')),
    );
    const residenceName = 'reg-residence';
    const residence = h(
      'fieldset',
      { class: 'group' },
      h('legend', { text: t('c.reg.residence') }),
      h(
        'div',
        { class: 'choices', role: 'radiogroup', 'aria-label': t('c.reg.residenceKind') },
        ['permanent', 'temporary'].map((kind) =>
          h(
            'label',
            { class: 'choice' },
            h('input', { type: 'radio', name: residenceName, value: kind, checked: form.residenceKind === kind, onchange: bind('residenceKind') }),
            h('span', { class: 'choice__text', text: t(`c.residence.${kind}`) }),
          ),
        ),
      ),
      field('address', t('c.reg.address'), text('address', { autocomplete: 'street-address' })),
      h(
        'div',
        { class: 'agree' },
        h('input', { id: 'reg-nonResident', type: 'checkbox', checked: form.nonResident, onchange: (e) => (bind('nonResident')(e), rerender()) }),
        h('label', { for: 'reg-nonResident', text: t('c.reg.nonResident') }),
      ),
      form.nonResident
        ? field('nonResidentDocuments', t('c.reg.nonResidentDocuments'), h('textarea', { rows: 3, oninput: bind('nonResidentDocuments'), text: form.nonResidentDocuments }), t('c.reg.onePerLine'))
        : null,
    );
    const right = h(
      'fieldset',
      { class: 'group' },
      h('legend', { text: t('field.right') }),
      field('right', t('c.reg.right'), select('right', RIGHTS, (r) => t(`right.${r}`), rerender)),
      form.right !== 'none' ? field('rightCategory', t('c.reg.category'), select('rightCategory', categories.map((c) => c.code), (code) => named(categories.find((c) => c.code === code)?.name, ctx.lang(), code))) : null,
      form.right !== 'none' ? field('rightDocument', t('c.reg.document'), text('rightDocument'), t('c.reg.documentHint')) : null,
    );
    const result = h('div', { id: 'reg-result', 'aria-live': 'polite' });
    if (check?.error) result.append(h('p', { class: 'notice notice--error', role: 'alert', 'data-testid': 'reg-error', text: check.error }));
    if (check?.ok) {
      const a = check.result.application;
      result.append(
        h(
          'div',
          { class: 'preview', 'data-testid': 'reg-preview' },
          h('h4', { text: t('preview.heading') }),
          h('p', { class: 'small', text: t('c.act.previewNote') }),
          h('p', { text: t('c.reg.previewQueue', { queue: t(`queueType.${a.queueType}`), year: rules.applicationInfo(a).groupYear, district: named(ctx.districts.find((d) => d.code === a.district)?.name, ctx.lang(), a.district) }) }),
          (a.warnings ?? []).map((w) => h('p', { class: 'notice notice--warn small', text: t(`warning.${w}`) })),
          h('button', { type: 'button', class: 'button button--primary', 'data-testid': 'reg-send', disabled: s.busy, text: t('c.reg.send'), onclick: send }),
        ),
      );
    }
    const error = page.failure(s.error);
    if (error) result.append(error);
    panel.append(
      h(
        'form',
        {
          class: 'stack',
          novalidate: true,
          onsubmit: (e) => {
            e.preventDefault();
            validate();
            s.error = null;
            page.render();
            page.focusAfter(check.ok ? '[data-testid="reg-send"]' : check.field ? `#reg-${fieldId(check.field)}` : '#reg-result [role="alert"]');
          },
        },
        child,
        queue,
        applicant,
        residence,
        right,
        h('button', { type: 'submit', class: 'button button--primary', 'data-testid': 'reg-check', text: t('c.reg.check') }),
        result,
      ),
    );
    return panel;
  }

  /** The form control of a rules field name (`applicant.phone` → phone). */
  function fieldId(name) {
    const map = { 'applicant.name': 'applicantName', 'applicant.phone': 'phone', 'applicant.email': 'email', 'applicant.kinship': 'kinship', 'residence.address': 'address', childName: 'childName', childIin: 'childIin', birthDate: 'birthDate', rightDocument: 'rightDocument', rightCategory: 'rightCategory' };
    return domId(map[name] ?? name);
  }

  function send() {
    page.run(async () => {
      const answer = await page.call('POST', '/v1/parent/applications', { application: newApplication() });
      page.updateApplication(answer.application);
      page.announce(t('c.reg.done', { id: answer.application.id, date: fmtDate(answer.application.registeredAt.slice(0, 10)) }));
      check = null;
      s.view = 'applications';
      page.focusAfter(`[data-application-card="${CSS.escape(answer.application.id)}"] h3`);
    });
  }

  return { render };
}
