//! What a parent sees: their children's applications with position, deadline and the
//! actions they may take now (all asked of `rules`), the kindergartens they may choose, and
//! the e-contract they sign.

use rules::authz::parent::parent_actions;
use rules::deadline::{DeadlineKind, pending};
use rules::model::{GroupLanguage, Kindergarten, LocalizedName};
use rules::{ActionKind, Application, Instant, Lang, State};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::i18n::FluentValue;

/// An application as its parent sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    /// The rules' application, its fields at the top level of the view.
    #[serde(flatten)]
    pub application: Application,
    /// Position in its queue, when queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// The deadline it waits on now (confirm, choose or restore; none in other statuses).
    pub deadlines: Vec<PendingDeadline>,
    /// What the parent may do now (the rules' allowed actions that are parents'), each
    /// with the deadline it must be done by.
    pub allowed_actions: Vec<ParentAction>,
    /// The kindergarten of its direction, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kindergarten: Option<KindergartenView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingDeadline {
    pub kind: DeadlineKind,
    pub at: Instant,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentAction {
    pub action: ActionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Instant>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindergartenView {
    pub id: String,
    pub name: LocalizedName,
    pub address: String,
    pub phone: String,
}

impl KindergartenView {
    fn of(k: &Kindergarten) -> Self {
        KindergartenView { id: k.id.clone(), name: k.name.clone(), address: k.address.clone(), phone: k.phone.clone() }
    }
}

/// A kindergarten a parent may choose for an application, with its free places by language.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Choice {
    pub kindergarten: KindergartenView,
    pub free: Vec<FreeInLanguage>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FreeInLanguage {
    pub language: GroupLanguage,
    pub places: u32,
}

/// The e-contract's text in one language and its SHA-256 (what the parent signs).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Contract {
    pub lang: Lang,
    pub text: String,
    pub sha256: String,
}

impl ApplicationView {
    pub fn of(state: &State, app: &Application, now: Instant) -> Self {
        let allowed = rules::lifecycle::allowed_actions(app, now, state.calendar()).unwrap_or_default();
        let parents = parent_actions(allowed.iter().map(|a| a.action));
        let allowed = allowed
            .into_iter()
            .filter(|a| parents.contains(&a.action))
            .map(|a| ParentAction { action: a.action, deadline: a.deadline })
            .collect();
        ApplicationView {
            application: app.clone(),
            position: state.position(&app.id),
            deadlines: pending(app).map(|(kind, at)| PendingDeadline { kind, at }).into_iter().collect(),
            allowed_actions: allowed,
            kindergarten: app
                .direction
                .as_ref()
                .and_then(|d| state.kindergarten(&d.kindergarten))
                .map(KindergartenView::of),
        }
    }
}

/// The kindergartens with places in free choice for `app`'s district, queue type and group
/// year (what `chooseKindergarten` accepts), by name.
pub fn choices(state: &State, app: &Application) -> Vec<Choice> {
    let mut out: Vec<Choice> = Vec::new();
    for (slot, places) in state.free_slots() {
        if places == 0 || slot.group_year != app.group_year() {
            continue;
        }
        let Some(k) = state.kindergarten(&slot.kindergarten) else { continue };
        if rules::lifecycle::check_choice(app, &k.id, Some(k), slot.language, places).is_err() {
            continue;
        }
        let free = FreeInLanguage { language: slot.language, places };
        match out.iter_mut().find(|c| c.kindergarten.id == k.id) {
            Some(choice) => choice.free.push(free),
            None => out.push(Choice { kindergarten: KindergartenView::of(k), free: vec![free] }),
        }
    }
    out.sort_by(|a, b| {
        a.kindergarten.name.ru.cmp(&b.kindergarten.name.ru).then(a.kindergarten.id.cmp(&b.kindergarten.id))
    });
    out
}

/// The e-contract for placing `app`'s child in `kindergarten`'s group in `language`.
pub fn contract(app: &Application, kindergarten: &Kindergarten, language: GroupLanguage, lang: Lang) -> Contract {
    let name = match lang {
        Lang::Kk => &kindergarten.name.kk,
        Lang::En if !kindergarten.name.en.is_empty() => &kindergarten.name.en,
        Lang::Ru | Lang::En => &kindergarten.name.ru,
    };
    let args = [
        ("kindergarten", FluentValue::from(name.as_str())),
        ("kid", FluentValue::from(kindergarten.id.as_str())),
        ("address", FluentValue::from(kindergarten.address.as_str())),
        ("child", FluentValue::from(app.child.name.as_str())),
        ("child_iin", FluentValue::from(app.child.iin.as_str())),
        ("birth", FluentValue::from(app.child.birth_date.to_string())),
        ("parent", FluentValue::from(app.applicant.name.as_str())),
        ("parent_iin", FluentValue::from(app.applicant.iin.as_str())),
        ("application", FluentValue::from(app.id.as_str())),
        ("language", FluentValue::from(language.text().get(lang))),
        ("year", FluentValue::from(app.group_year().to_string())),
    ];
    // The text is `parent-contract` in center/locales/*/contract.ftl.
    let text = crate::i18n::text(lang, "parent-contract", &args);
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    Contract { lang, text, sha256 }
}

/// Whether `sha256` is the hash of the contract in one of the three languages.
pub fn contract_matches(app: &Application, kindergarten: &Kindergarten, language: GroupLanguage, sha256: &str) -> bool {
    [Lang::Ru, Lang::Kk, Lang::En].into_iter().any(|lang| contract(app, kindergarten, language, lang).sha256 == sha256)
}
