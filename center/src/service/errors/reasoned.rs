//! What every error of the center is made of: one typed [`Reason`] (its stable code, its
//! message in each language, how the command line and the English answers show it), and the
//! macros that give an error enum its `code()`, [`Localized`], `Display` and `Error` from the
//! reason its variant carries.

use std::fmt;

use changelog::KeyError;
use rules::authz::staff::StaffDenied;
use rules::{CommandError, Lang, Localized};

use super::reasons::{
    BadCredentials, BadSchedule, Invalid, Missing, NotServed, SetupFailure, UnknownDistrict, UnknownKiosk,
};
use crate::i18n::text;
use crate::population::RegistryError;
use crate::store::StoreError;

/// Why something failed, as an error of the center carries it.
pub(crate) trait Reason {
    /// The stable code.
    fn code(&self) -> &'static str;
    /// The message for a person, in `lang`.
    fn message(&self, lang: Lang) -> String;
    /// What the command line and the staff API's English answers show.
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

/// How a reason is shown (`reasons!`).
mod show {
    use std::fmt::{self, Display, Formatter};

    use rules::{Lang, Localized};

    /// As its own `Display` says.
    pub(super) fn plain(e: &impl Display, f: &mut Formatter<'_>) -> fmt::Result {
        Display::fmt(e, f)
    }

    /// Its code, then its own `Display`.
    pub(super) fn coded(e: &(impl Display + Localized), f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {e}", e.code())
    }

    /// Its English message.
    pub(super) fn english(e: &impl Localized, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&e.message(Lang::En))
    }

    /// Its code, then its English message.
    pub(super) fn coded_english(e: &impl Localized, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", e.code(), e.message(Lang::En))
    }
}

/// [`Reason`] for [`Localized`] types, shown by one of the [`show`] functions.
macro_rules! reasons {
    ($($show:ident: $($reason:ty),+;)+) => {$($(
        impl Reason for $reason {
            fn code(&self) -> &'static str {
                Localized::code(self)
            }

            fn message(&self, lang: Lang) -> String {
                Localized::message(self, lang)
            }

            fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                show::$show(self, f)
            }
        }
    )+)+};
}

reasons! {
    plain: StoreError, SetupFailure, Invalid, Missing, UnknownKiosk, UnknownDistrict, NotServed, BadCredentials,
        BadSchedule;
    coded: RegistryError;
    english: StaffDenied;
    coded_english: CommandError;
}

/// A key file's or a public key's error (`KEY_…`, `BAD_PUBLIC_KEY`): the passphrase errors
/// say what to give, the others that the key does not read.
impl Reason for KeyError {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        show::plain(self, f)
    }

    fn code(&self) -> &'static str {
        KeyError::code(self)
    }

    fn message(&self, lang: Lang) -> String {
        text(lang, "center-KEY", &[("code", self.code().into()), ("detail", self.to_string().into())])
    }
}

/// `code()`, [`Localized`], `Display` and `Error` for an error type with a
/// `fn reason(&self) -> &dyn Reason`: all of them its reason's.
macro_rules! reasoned {
    ($error:ty) => {
        impl $error {
            pub fn code(&self) -> &'static str {
                self.reason().code()
            }
        }

        impl rules::Localized for $error {
            fn code(&self) -> &'static str {
                self.reason().code()
            }

            fn message(&self, lang: rules::Lang) -> String {
                self.reason().message(lang)
            }
        }

        impl std::fmt::Display for $error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.reason().show(f)
            }
        }

        impl std::error::Error for $error {}
    };
}
pub(crate) use reasoned;

/// Error enums each of whose variants carries one [`Reason`]: the enum, `From` each reason,
/// [`reasoned!`], and the conversion into [`super::CenterError`] keeping the reason.
macro_rules! operation_errors {
    ($($(#[$meta:meta])* pub enum $error:ident { $($variant:ident($reason:ty)),+ $(,)? })+) => {$(
        $(#[$meta])*
        #[derive(Debug)]
        pub enum $error {
            $($variant($reason),)+
        }

        $(
            impl From<$reason> for $error {
                fn from(e: $reason) -> Self {
                    $error::$variant(e)
                }
            }
        )+

        impl $error {
            fn reason(&self) -> &dyn $crate::service::errors::reasoned::Reason {
                match self {
                    $($error::$variant(e) => e,)+
                }
            }
        }

        $crate::service::errors::reasoned::reasoned!($error);

        impl From<$error> for $crate::service::errors::CenterError {
            fn from(e: $error) -> Self {
                match e {
                    $($error::$variant(e) => e.into(),)+
                }
            }
        }
    )+};
}
pub(crate) use operation_errors;
