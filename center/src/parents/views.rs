//! What a parent sees: their children's applications with position, deadline and the
//! actions they may take now (all asked of `rules`), the kindergartens they may choose, and
//! the e-contract they sign.

use rules::authz::parent::parent_actions;
use rules::deadline::{DeadlineKind, pending};
use rules::model::{GroupLanguage, Kindergarten, LocalizedName};
use rules::{ActionKind, Application, Instant, Lang, State};
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    let template = rules::Text::new(
        "ДОГОВОР об оказании услуг дошкольного воспитания и обучения\n\n\
         Детский сад: {kindergarten} ({kid}), {address}.\n\
         Ребёнок: {child}, ИИН {child_iin}, дата рождения {birth}.\n\
         Законный представитель: {parent}, ИИН {parent_iin}.\n\
         Заявление: {application}; язык группы: {language}; год группы: {year}.\n\n\
         Детский сад принимает ребёнка в группу и оказывает услуги дошкольного воспитания и обучения по \
         государственному общеобязательному стандарту. Законный представитель обязуется привести ребёнка \
         в детский сад с документами, названными в направлении, и сообщать об отсутствии ребёнка. \
         Договор подписывается электронно и действует до выпуска ребёнка из детского сада.",
        "Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы ШАРТ\n\n\
         Балабақша: {kindergarten} ({kid}), {address}.\n\
         Бала: {child}, ЖСН {child_iin}, туған күні {birth}.\n\
         Заңды өкіл: {parent}, ЖСН {parent_iin}.\n\
         Өтініш: {application}; топ тілі: {language}; топ жылы: {year}.\n\n\
         Балабақша баланы топқа қабылдайды және мемлекеттік жалпыға міндетті стандарт бойынша мектепке \
         дейінгі тәрбие мен оқыту қызметтерін көрсетеді. Заңды өкіл баланы жолдамада аталған құжаттармен \
         балабақшаға әкелуге және баланың болмауы туралы хабарлауға міндеттенеді. Шартқа электронды түрде \
         қол қойылады және бала балабақшадан шыққанға дейін жарамды.",
        "AGREEMENT on pre-school education and care\n\n\
         Kindergarten: {kindergarten} ({kid}), {address}.\n\
         Child: {child}, IIN {child_iin}, born {birth}.\n\
         Legal representative: {parent}, IIN {parent_iin}.\n\
         Application: {application}; group language: {language}; group year: {year}.\n\n\
         The kindergarten admits the child to the group and provides pre-school education and care under \
         the state compulsory standard. The legal representative brings the child to the kindergarten with \
         the documents named in the direction and reports the child's absences. The agreement is signed \
         electronically and is in force until the child leaves the kindergarten.",
    );
    let text = template
        .get(lang)
        .replace("{kindergarten}", name)
        .replace("{kid}", &kindergarten.id)
        .replace("{address}", &kindergarten.address)
        .replace("{child_iin}", &app.child.iin)
        .replace("{child}", &app.child.name)
        .replace("{birth}", &app.child.birth_date.to_string())
        .replace("{parent_iin}", &app.applicant.iin)
        .replace("{parent}", &app.applicant.name)
        .replace("{application}", &app.id)
        .replace("{language}", language.text().get(lang))
        .replace("{year}", &app.group_year().to_string());
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    Contract { lang, text, sha256 }
}

/// Whether `sha256` is the hash of the contract in one of the three languages.
pub fn contract_matches(app: &Application, kindergarten: &Kindergarten, language: GroupLanguage, sha256: &str) -> bool {
    [Lang::Ru, Lang::Kk, Lang::En].into_iter().any(|lang| contract(app, kindergarten, language, lang).sha256 == sha256)
}
