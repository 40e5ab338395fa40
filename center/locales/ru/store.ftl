# The PostgreSQL store's set-up and role checks (center/src/pg_store.rs), keyed by error code.

store-STORE_NOT_SET_UP = В базе данных нет схемы центра: владелец схемы создаёт её командой kezek-center init --store-owner
store-STORE_ROLE_CAN_REWRITE = Роль сервера может переписать журнал принятых записей: запустите сервер под ролью, которой разрешено только читать его и добавлять записи
store-STORE_SAME_ROLE = Владелец схемы и роль сервера должны быть разными ролями
store-STORE_NO_ROLE = Роли сервера нет в базе данных: сначала создайте её
store-STORE_NO_USER = В адресе базы данных не указана роль сервера
