//! The center's data folder: what `init` writes (key pair, kindergarten directory, store)
//! and how `open` finds it again.

use std::path::{Path, PathBuf};

use changelog::{KioskKey, fingerprint};
use rules::model::Kindergarten;
use serde::{Deserialize, Serialize};

use super::{Center, OpenError, SetupFailure};
use crate::any_store::AnyStore;
use crate::store::SledStore;

/// The demo kindergarten directory, used when `init` is given none.
pub const DEMO_KINDERGARTENS: &str = include_str!("../../../data/demo/kindergartens.json");
/// Akmola region's districts.
pub const DISTRICTS: &str = include_str!("../../../data/districts.json");

const KEY_FILE: &str = "center.key";
/// Where the store lives when it is not the embedded one in `db/`: one line, a
/// `postgres://` URL (credentials belong in `~/.pgpass` or `PGPASSWORD`, not here).
pub const STORE_FILE: &str = "store.url";
const PUB_FILE: &str = "center.pub";
const KINDERGARTENS_FILE: &str = "kindergartens.json";
/// The embedded store's folder inside the data folder.
pub const DB_DIR: &str = "db";

/// What `init` made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitInfo {
    pub public_key: String,
    pub fingerprint: String,
    pub data: PathBuf,
}

/// The store location written in the data folder's [`STORE_FILE`], if there is one.
pub fn store_location(dir: &Path) -> Result<Option<String>, SetupFailure> {
    match std::fs::read_to_string(dir.join(STORE_FILE)) {
        Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SetupFailure::file(dir.join(STORE_FILE))(e)),
    }
}

/// Parses the district list (`data/districts.json` shape).
pub fn district_codes(json: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct D {
        code: String,
    }
    serde_json::from_str::<Vec<D>>(json).map(|v| v.into_iter().map(|d| d.code).collect()).unwrap_or_default()
}

impl Center<AnyStore> {
    /// Creates a center in `dir`: a key pair (private key 0600), the kindergarten directory
    /// (`kindergartens`, or the demo one) and an empty store.
    pub fn init(dir: &Path, kindergartens: Option<&Path>) -> Result<InitInfo, OpenError> {
        Center::init_with(dir, kindergartens, None)
    }

    /// [`Center::init`] with the private key encrypted by `passphrase` when one is given.
    pub fn init_with(
        dir: &Path,
        kindergartens: Option<&Path>,
        passphrase: Option<&str>,
    ) -> Result<InitInfo, OpenError> {
        std::fs::create_dir_all(dir).map_err(SetupFailure::file(dir))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(SetupFailure::file(dir))?;
        }
        let key_path = dir.join(KEY_FILE);
        if key_path.exists() {
            return Err(SetupFailure::Initialised(key_path).into());
        }
        let directory = match kindergartens {
            Some(path) => std::fs::read_to_string(path).map_err(SetupFailure::file(path))?,
            None => DEMO_KINDERGARTENS.to_owned(),
        };
        let parsed: Vec<Kindergarten> = serde_json::from_str(&directory).map_err(SetupFailure::Directory)?;
        let key = KioskKey::generate().map_err(SetupFailure::NewKey)?;
        match passphrase {
            Some(passphrase) => key.save_encrypted(&key_path, passphrase, changelog::KdfParams::for_new_files())?,
            None => key.save(&key_path)?,
        }
        let public = dir.join(PUB_FILE);
        std::fs::write(&public, format!("{}\n", key.public_hex())).map_err(SetupFailure::file(&public))?;
        let directory_file = dir.join(KINDERGARTENS_FILE);
        let json = serde_json::to_vec_pretty(&parsed).map_err(SetupFailure::Directory)?;
        std::fs::write(&directory_file, json).map_err(SetupFailure::file(&directory_file))?;
        SledStore::open(&dir.join(DB_DIR))?;
        // The parents' channel's key, made now so that `serve` writes no key file.
        crate::parents::load_or_create_key(dir)?;
        crate::store::sync_tree(dir)?;
        Ok(InitInfo { public_key: key.public_hex(), fingerprint: fingerprint(&key.verifying()), data: dir.to_owned() })
    }

    /// Opens the center in `dir` and rebuilds its state from the accepted log.
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        Center::open_with(dir, None)
    }

    /// [`Center::open`] with the passphrase of an encrypted key file.
    pub fn open_with(dir: &Path, passphrase: Option<&str>) -> Result<Self, OpenError> {
        let location = store_location(dir)?;
        Center::open_at(dir, passphrase, location.as_deref())
    }

    /// Opens the center whose key and directory are in `dir` and whose store is at `store`
    /// (a `postgres://` URL), or in `dir` when `store` is `None`.
    pub fn open_at(dir: &Path, passphrase: Option<&str>, store: Option<&str>) -> Result<Self, OpenError> {
        let key_path = dir.join(KEY_FILE);
        if !key_path.exists() {
            return Err(SetupFailure::NotInitialised(key_path).into());
        }
        let key = KioskKey::load_with(&key_path, passphrase)?;
        let directory = std::fs::read_to_string(dir.join(KINDERGARTENS_FILE))
            .map_err(SetupFailure::file(dir.join(KINDERGARTENS_FILE)))?;
        let kindergartens: Vec<Kindergarten> = serde_json::from_str(&directory).map_err(SetupFailure::Directory)?;
        let store = AnyStore::open(&dir.join(DB_DIR), store)?;
        let mut center = Center::with_store(store, key, kindergartens)?;
        center.data_dir = Some(dir.to_owned());
        Ok(center)
    }
}
