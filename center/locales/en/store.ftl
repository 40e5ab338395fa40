# The store's errors (center/src/store/mod.rs) and the PostgreSQL store's set-up and role checks
# (center/src/pg_store.rs), keyed by error code.

store-STORE_NOT_SET_UP = The database has no center schema or an older one: its owner sets it up with kezek-center init --store-owner, or brings it up to date with kezek-center upgrade-store --store-owner
store-STORE_ROLE_CAN_REWRITE = The server's role could rewrite the accepted log: run the server as a role that may only read it and append to it
store-STORE_SAME_ROLE = The schema's owner and the server's role must be different roles
store-STORE_NO_ROLE = The server's role does not exist in the database: create it first
store-STORE_NO_USER = The database URL names no role for the server

store-STORE = The center's store failed: { $detail }
store-DATA_LOCKED = The data folder { $path } is in use by another kezek-center process
store-LOG_DAMAGED = The accepted log { $path } is damaged at byte offset { $offset }; the center did not start and left the file unchanged. Copy the data folder aside, then restore it from a backup, or set up a new center and ingest the kiosks' logs again
