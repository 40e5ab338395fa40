/* tslint:disable */
/* eslint-disable */

// ---- Value formats -------------------------------------------------------------------

/** A calendar date, strictly `YYYY-MM-DD`. */
export type DateString = string;
/**
 * An RFC 3339 instant with seconds and an offset (`Z` or `±HH:MM`), optionally 1–9
 * fraction digits, e.g. `2026-03-09T10:00:00+05:00`.
 */
export type InstantString = string;
/** The language of messages and labels; Russian when left out. */
export type Lang = "ru" | "kk" | "en";

// ---- Errors --------------------------------------------------------------------------

/** Codes of input that is not in the API's format. */
export type InputErrorCode =
| "INVALID_DATE"
| "INVALID_INSTANT"
| "INVALID_ARGUMENT"
| "INVALID_KIND"
| "INVALID_APPLICATION";

/** Codes of an invalid IIN (in `validateIin`'s answer and in `INVALID_IIN`-style rejections). */
export type IinErrorCode = "IIN_FORMAT" | "IIN_DATE" | "IIN_CHECKSUM";

/**
 * Codes of a command the rules rejected (`apply`, `allowedActions`). `CALENDAR_OUT_OF_RANGE`
 * is also what `isWorkingDay`, `workingDaysAfter` and `deadline` throw for a day outside the
 * calendar's years (`calendarInfo().years`): the calendar never estimates a year.
 */
export type RulesErrorCode =
| IinErrorCode
| "INVALID_FIELD"
| "NOT_ALLOWED"
| "DEADLINE_PASSED"
| "ALREADY_USED"
| "MUST_ENROLL"
| "UNKNOWN_APPLICATION"
| "DUPLICATE_APPLICATION"
| "DUPLICATE_CHILD"
| "CHILD_TOO_OLD"
| "BIRTH_DATE_IN_FUTURE"
| "UNKNOWN_KINDERGARTEN"
| "KINDERGARTEN_MISMATCH"
| "LANGUAGE_NOT_OFFERED"
| "NO_FREE_PLACE"
| "DUPLICATE_PLACES_RECORD"
| "CALENDAR_OUT_OF_RANGE"
| "UNKNOWN_CATEGORY"
| "CATEGORY_RIGHT_MISMATCH";

/**
 * `apply` was given a command only the center runs (`issueVoucher`, `upholdRefusal`,
 * `overruleRefusal`, `distribute`, `tick`), whatever the application's status. No `detail`.
 */
export type CenterOnlyCode = "CENTER_ONLY";

/** What every function throws: a JS `Error` with a stable `code` and a localized `message`. */
export interface KezekError extends Error {
    code: InputErrorCode | RulesErrorCode | CenterOnlyCode;
    /** The structured rules error; present exactly when the rules rejected a command. */
    detail?: CommandErrorDetail;
}

/** What is wrong with a field (`INVALID_FIELD`). */
export type FieldProblem =
| { kind: "empty" }
| { kind: "tooLong"; maxChars: number }
| { kind: "outOfRange" }
| { kind: "missing" }
| { kind: "unexpected" };

/** `KezekError.detail`: why the rules rejected a command. */
export type CommandErrorDetail =
| { kind: "invalidIin"; field: "child" | "applicant"; error: IinErrorCode }
| { kind: "invalidField"; field: string; problem: FieldProblem }
| { kind: "notAllowed"; action: ActionKind; status: Status; allowed: ActionKind[] }
| { kind: "deadlinePassed"; action: ActionKind; deadline: InstantString }
| { kind: "alreadyUsed"; action: ActionKind }
| { kind: "mustEnroll" }
| { kind: "unknownApplication"; id: string }
| { kind: "duplicateApplication"; id: string }
| { kind: "duplicateChild"; existing: string }
| { kind: "childTooOld"; agedOutOn: DateString }
| { kind: "birthDateInFuture" }
| { kind: "unknownKindergarten"; id: string }
| { kind: "kindergartenMismatch"; kindergarten: string }
| { kind: "languageNotOffered"; kindergarten: string; language: GroupLanguage }
| { kind: "noFreePlace"; kindergarten: string; language: GroupLanguage; groupYear: number }
| { kind: "duplicatePlacesRecord"; id: string }
| { kind: "calendarOutOfRange" }
| { kind: "unknownCategory"; category: string }
| { kind: "categoryRightMismatch"; category: string; right: RightClass; categoryRight: RightClass };

// ---- IIN -----------------------------------------------------------------------------

export type Sex = "male" | "female";

/** `validateIin`'s answer. */
export type IinResult =
| { valid: true; birthDate: DateString; sex: Sex }
| { valid: false; error: { code: IinErrorCode; message: string } };

// ---- Calendar and deadlines ----------------------------------------------------------

export type DeadlineKind = "confirm" | "choose" | "restore";

/** `deadline`'s answer. */
export interface Deadline {
    /** The end of the deadline's day, `YYYY-MM-DDT23:59:59+05:00`. */
    at: InstantString;
    /**
     * A working day counted over, or the deadline's own day, lies in a provisional year of
     * the calendar (no decree yet): the deadline may still move. Always `false` for `restore`.
     */
    provisional: boolean;
}

export interface YearInfo {
    year: number;
    /**
     * `official` (decree) or `provisional` (no decree yet: no transfers, Kurban Ait from
     * published tables). A year not listed is not in the calendar at all.
     */
    status: "official" | "provisional";
    workingDays: number;
    source: string;
}

/** `pendingDeadline`'s answer: the deadline an application waits on by its status. */
export interface PendingDeadline {
    kind: DeadlineKind;
    at: InstantString;
    /** The action it waits for: `confirmVoucher`, `chooseKindergarten` or `restoreVoucher`. */
    action: ActionKind;
}

/** `daysLeft`'s answer: `days` counted in `unit` (working days for confirm and choose, calendar days for restore). */
export interface DaysLeft {
    days: number;
    unit: "working" | "calendar";
}

export interface CalendarInfo {
    /** The calendar data's version. */
    version: string;
    years: YearInfo[];
}

// ---- Queue ---------------------------------------------------------------------------

export type QueueType = "general" | "special_correctional" | "special" | "sanatorium";
/** Extraordinary (внеочередное), first-priority (первоочередное) or no right. */
export type RightClass = "extraordinary" | "first" | "none";

/** One application as `rankQueue` and `explainPosition` read it. No other field is accepted. */
export interface RankInput {
    id: string;
    district: string;
    queueType: QueueType;
    birthDate: DateString;
    right: RightClass;
    registeredAt: InstantString;
    /** Any status; only exactly `"queued"` is ranked. */
    status: string;
}

/** A queued application's place in its queue `(district, queueType, groupYear)`. */
export interface Ranked {
    id: string;
    district: string;
    queueType: QueueType;
    groupYear: number;
    /** 1-based, in allocation order. */
    position: number;
}

/** Why an application is now ahead, or no longer ahead. */
export type MoveReason =
| { kind: "newApplication" }
| { kind: "returnedToQueue" }
| { kind: "leftQueue"; status: string }
| { kind: "removed" }
| { kind: "interleaving" };

export interface Mover {
    id: string;
    right: RightClass;
    reason: MoveReason;
    /** `reason` for a person, in the requested language. */
    reasonText: string;
}

/** `queuePlace`'s answer: "position of total" in the application's queue. */
export interface QueuePlace {
    /** 1-based, in allocation order. */
    position: number;
    /** How many applications the queue (district, queue type, group year) ranks. */
    total: number;
}

/** `explainPosition`'s answer. A position is `null` when the application was not queued. */
export interface PositionChange {
    id: string;
    before: number | null;
    after: number | null;
    /** Now ahead, and were not before. */
    enteredAhead: Mover[];
    /** Were ahead before, and are not now. */
    leftAhead: Mover[];
}

// ---- Applications --------------------------------------------------------------------

export type Status =
| "queued"
| "voucher_issued"
| "voucher_confirmed"
| "stop_listed"
| "direction_issued"
| "refusal_review"
| "enrolled"
| "departed"
| "archived";
export type ArchiveReason = "voucher_refused" | "restore_expired" | "choice_expired" | "withdrawn" | "aged_out";
export type Kinship = "mother" | "father" | "guardian" | "grandparent" | "other";
export type GroupLanguage = "kk" | "ru" | "en";
export type Warning = "BIRTH_DATE_DIFFERS_FROM_IIN";

export interface Child {
    iin: string;
    name: string;
    /** The real birth date, entered separately from the IIN. */
    birthDate: DateString;
    sex: Sex;
}

export interface Applicant {
    iin: string;
    name: string;
    kinship: Kinship;
    phone: string;
    email?: string;
}

export interface Residence {
    kind: "permanent" | "temporary";
    address: string;
}

export interface Voucher {
    issuedAt: InstantString;
    confirmDeadline: InstantString;
    confirmedAt?: InstantString;
    chooseDeadline?: InstantString;
    extended: boolean;
    /** The missed confirm deadline, when the voucher went to the stop-list. */
    stopListedAt?: InstantString;
    restoreDeadline?: InstantString;
    restored: boolean;
}

export interface Direction {
    number: string;
    kindergarten: string;
    language: GroupLanguage;
    groupYear: number;
    issuedAt: InstantString;
    /** Set when the education department overruled the kindergarten's refusal. */
    mustEnroll: boolean;
    enrolledAt?: InstantString;
    refusalReason?: string;
}

export interface Departure {
    date: DateString;
    reason: string;
    recordedAt: InstantString;
}

/** One child's application, as the kiosk, the center and `apply` give it. No other field is accepted. */
export interface Application {
    id: string;
    district: string;
    queueType: QueueType;
    child: Child;
    applicant: Applicant;
    residence: Residence;
    nonResident: boolean;
    nonResidentDocuments?: string[];
    right: RightClass;
    rightCategory?: string;
    rightDocument?: string;
    registeredAt: InstantString;
    status: Status;
    warnings?: Warning[];
    voucher?: Voucher;
    direction?: Direction;
    /** How many directions this application has had. */
    directionsIssued: number;
    archiveReason?: ArchiveReason;
    archivedAt?: InstantString;
    departure?: Departure;
}

/** `applicationInfo`'s answer: what follows from an application alone. */
export interface ApplicationInfo {
    /** The group year of its queue: the child's birth year. */
    groupYear: number;
    /** Its status is final (`departed`, `archived`): the child may apply again. */
    final: boolean;
}

/** What an operator enters to put a child in a queue (`register`). */
export interface NewApplication {
    /** Registration number, assigned by the host; required by the rules (not empty). */
    id: string;
    district: string;
    queueType: QueueType;
    childIin: string;
    childName: string;
    birthDate: DateString;
    applicant: Applicant;
    residence: Residence;
    nonResident?: boolean;
    nonResidentDocuments?: string[];
    right: RightClass;
    /** Required with a right, and must be left out without one. */
    rightCategory?: string;
    rightDocument?: string;
}

// ---- Commands and events -------------------------------------------------------------

/** An action on one application. */
export type Action =
| { type: "issueVoucher" }
| { type: "confirmVoucher" }
| { type: "restoreVoucher" }
| { type: "extendChoice"; days: number }
| { type: "chooseKindergarten"; kindergarten: string; language: GroupLanguage }
| { type: "refuseVoucher" }
| { type: "withdraw" }
| { type: "acceptChild" }
| { type: "refuseChild"; reason: string }
| { type: "upholdRefusal" }
| { type: "overruleRefusal" }
| { type: "markDeparted"; date: DateString; reason: string };

/** The name of an action. */
export type ActionKind = Action["type"];

/** Registers a new application; `apply`'s `application` is then `null`. */
export interface RegisterCommand {
    type: "register";
    application: NewApplication;
}

export type Role = "operator" | "kindergarten" | "reviewer" | "admin" | "center";

/** `actionInfo`'s answer: what the rules say of an action. */
export interface ActionInfo {
    /** Who takes it. */
    role: Role;
    /** A parent takes it online (the parents' portal and channel). */
    parent: boolean;
    /** The deadline it must be taken by, if any. */
    dueBy: DeadlineKind | null;
    /** The deadline it starts, counted from when it is taken, if any. */
    starts: DeadlineKind | null;
    /** The number of days it takes (`extendChoice`: the extension), if it takes one. */
    days: { min: number; max: number } | null;
    /** Taking it ends the application (its status becomes final): refuseVoucher, withdraw, markDeparted. */
    ends: boolean;
}

/** One entry of `allowedActions`' answer. */
export interface AllowedAction {
    action: ActionKind;
    role: Role;
    /** The end of the period in which the action is in time, if it has one. */
    deadline?: InstantString;
    /** The button label in the requested language. */
    label: string;
}

export interface PlacesRecord {
    id: string;
    kindergarten: string;
    district: string;
    queueType: QueueType;
    language: GroupLanguage;
    groupYear: number;
    count: number;
    addedAt: InstantString;
    state: "pending" | "free_choice";
}

/** Something that happened; an application is the fold of its events. */
export type Event =
| { type: "registered"; application: Application }
| { type: "placesAdded"; record: PlacesRecord }
| { type: "placesPublished"; record: string; at: InstantString }
| { type: "voucherIssued"; application: string; at: InstantString; confirmDeadline: InstantString }
| { type: "voucherConfirmed"; application: string; at: InstantString; chooseDeadline: InstantString }
| { type: "stopListed"; application: string; at: InstantString; restoreDeadline: InstantString }
| { type: "voucherRestored"; application: string; at: InstantString; chooseDeadline: InstantString }
| { type: "choiceExtended"; application: string; at: InstantString; days: number; chooseDeadline: InstantString }
| { type: "directionIssued"; application: string; direction: Direction }
| { type: "childEnrolled"; application: string; at: InstantString }
| { type: "childRefused"; application: string; at: InstantString; reason: string }
| { type: "refusalUpheld"; application: string; at: InstantString }
| { type: "refusalOverruled"; application: string; at: InstantString }
| { type: "childDeparted"; application: string; departure: Departure }
| { type: "archived"; application: string; at: InstantString; reason: ArchiveReason };

/** Free places in free choice of one kindergarten, language and group year. */
export interface FreePlace {
    kindergarten: string;
    language: GroupLanguage;
    groupYear: number;
    free: number;
}

/** A kindergarten of the directory (as in a center snapshot's `kindergartens`). */
export interface Kindergarten {
    id: string;
    district: string;
    /** `general` when left out. */
    queueType?: QueueType;
    name: { ru: string; kk: string; en?: string };
    ownership: "state" | "private";
    address: string;
    phone: string;
    languages: GroupLanguage[];
}

export interface ApplyOptions {
    lang?: Lang;
    /**
     * The free places the caller knows of: a kindergarten choice needs `free > 0` for the
     * kindergarten, the language and the application's group year (`NO_FREE_PLACE`).
     */
    freePlaces?: FreePlace[];
    /**
     * The kindergarten directory (a snapshot's `kindergartens`): a choice needs the
     * kindergarten listed (`UNKNOWN_KINDERGARTEN`), of the application's district and queue
     * type (`KINDERGARTEN_MISMATCH`), with groups in the language (`LANGUAGE_NOT_OFFERED`).
     * When `freePlaces` or `kindergartens` is given, a choice is checked as the center checks
     * it, with both (a left-out list is empty); with neither, every choice is taken as possible.
     */
    kindergartens?: Kindergarten[];
}

/** `apply`'s answer: the events the command caused (expiries due first) and the application after them. */
export interface ApplyResult {
    application: Application;
    events: Event[];
}



/**
 * What the rules say of `action`: who takes it, whether a parent takes it online, the
 * deadline it must be taken by and the one it starts, the days it takes (`extendChoice`),
 * and whether taking it ends the application.
 * Throws `INVALID_ARGUMENT` for a name that is no action.
 */
export function actionInfo(action: ActionKind): ActionInfo;

/**
 * The actions that may be taken on `application` at `now` (after any deadline expiry due
 * by then), who takes them, their deadline and their button label.
 * Throws `INVALID_APPLICATION`, `INVALID_INSTANT` or `INVALID_ARGUMENT` (lang).
 */
export function allowedActions(application: Application, now: InstantString, lang?: Lang): AllowedAction[];

/**
 * What follows from `application` alone: the group year of its queue (the child's birth
 * year) and whether its status is final (departed or archived: the child may apply again).
 * Throws `INVALID_APPLICATION`.
 */
export function applicationInfo(application: Application): ApplicationInfo;

/**
 * Checks `command` against `application` at `now` and returns the events it causes and
 * the application after them. `application` is `null` for `register`. A choice is checked
 * against `options.kindergartens` and `options.freePlaces` as the center checks it; without
 * either every kindergarten choice is taken as possible. Commands only the center runs
 * (`issueVoucher`, `upholdRefusal`, `overruleRefusal`, `distribute`, `tick`) throw `CENTER_ONLY`.
 * Throws `INVALID_*` for malformed input, or the rules' code (`NOT_ALLOWED`,
 * `DEADLINE_PASSED`, …) with `detail` when the rules reject the command.
 */
export function apply(application: Application | null, command: Action | RegisterCommand, now: InstantString, options?: ApplyOptions): ApplyResult;

/**
 * The embedded working-day calendar: its data version and the years it lists.
 */
export function calendarInfo(): CalendarInfo;

/**
 * The days left at `now` until `deadline`, a deadline of `kind`: today counts while it is
 * not over (1 on the deadline's last day), 0 after the deadline. `confirm` and `choose`
 * count working days (the deadline's own day always counts), `restore` calendar days.
 * Throws `INVALID_KIND`, `INVALID_INSTANT` or `CALENDAR_OUT_OF_RANGE`.
 */
export function daysLeft(kind: DeadlineKind, deadline: InstantString, now: InstantString): DaysLeft;

/**
 * The deadline of `kind` counted from `from`: `at`, as `YYYY-MM-DDT23:59:59+05:00`, and
 * `provisional`, true when a working day counted over (or the deadline's day) lies in a
 * provisional year of the calendar. confirm = 2nd working day after the local date of the
 * voucher's issue, choose = 5th working day after the confirmation, restore = 28th
 * calendar day after the missed confirm deadline (never provisional). Throws
 * `INVALID_KIND`, `INVALID_INSTANT` or `CALENDAR_OUT_OF_RANGE`.
 */
export function deadline(kind: DeadlineKind, from: InstantString): Deadline;

/**
 * Why the position of application `id` differs between two snapshots of the queues.
 * Throws `INVALID_ARGUMENT` or `INVALID_APPLICATION`.
 */
export function explainPosition(before: RankInput[], after: RankInput[], id: string, lang?: Lang): PositionChange;

/**
 * Whether `date` is a working day in Kazakhstan (Monday–Friday, not a day off).
 * Throws `INVALID_DATE`, or `CALENDAR_OUT_OF_RANGE` for a date outside the calendar's years.
 */
export function isWorkingDay(date: DateString): boolean;

/**
 * Of `options.freePlaces`, the places `application` may choose, in the list's order: what
 * `apply` of `chooseKindergarten` with the same `options` accepts (a kindergarten of
 * `options.kindergartens`, of the application's district and queue type, open, with groups
 * in the language and the group year, a free place for its group year). Whether it may
 * choose now is `allowedActions`' answer. Throws `INVALID_APPLICATION` or `INVALID_ARGUMENT`.
 */
export function kindergartenChoices(application: Application, options: ApplyOptions): FreePlace[];

/**
 * The deadline `application` waits on by its status: `confirm` (voucher issued), `choose`
 * (voucher confirmed) or `restore` (stop-listed), with its instant and the action it waits
 * for (`confirmVoucher`, `chooseKindergarten`, `restoreVoucher`); `null` in any other status.
 * Whether it has passed at a time is `daysLeft(kind, at, now).days === 0`.
 * Throws `INVALID_APPLICATION`.
 */
export function pendingDeadline(application: Application): PendingDeadline | null;

/**
 * The place of application `id` when `applications` are ranked as by `rankQueue`: its
 * position and how many applications its queue (district, queue type, group year) ranks;
 * `null` when it is not ranked. Throws as `rankQueue` does, or `INVALID_ARGUMENT` (`id`).
 */
export function queuePlace(applications: RankInput[], id: string): QueuePlace | null;

/**
 * Positions of every application whose status is exactly `queued`, sorted by district,
 * queue type, group year and position. Every element is validated whatever its status.
 * Throws `INVALID_ARGUMENT` (not an array) or `INVALID_APPLICATION` (an invalid element,
 * a duplicate id).
 */
export function rankQueue(applications: RankInput[]): Ranked[];

/**
 * Checks a child's or an adult's IIN (ИИН): 12 digits, the date and century they encode,
 * the check digit; in that order, without trimming. A wrong IIN is an answer, not an error.
 * Throws `INVALID_ARGUMENT` when `iin` is not a string or `lang` is not a language.
 */
export function validateIin(iin: string, lang?: Lang): IinResult;

/**
 * The package version.
 */
export function version(): string;

/**
 * The `n`-th working day strictly after `date` (`n` an integer from 1 to 100000).
 * Throws `INVALID_DATE`, `INVALID_ARGUMENT`, or `CALENDAR_OUT_OF_RANGE` when the count
 * runs past the calendar's last year.
 */
export function workingDaysAfter(date: DateString, n: number): DateString;
