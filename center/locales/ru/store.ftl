# The store's errors (center/src/store/mod.rs) and the PostgreSQL store's set-up and role checks
# (center/src/pg_store.rs), keyed by error code.

store-STORE_NOT_SET_UP = В базе данных нет схемы центра или она устарела: владелец схемы создаёт её командой kezek-center init --store-owner или обновляет командой kezek-center upgrade-store --store-owner
store-STORE_ROLE_CAN_REWRITE = Роль сервера может переписать журнал принятых записей: запустите сервер под ролью, которой разрешено только читать его и добавлять записи
store-STORE_SAME_ROLE = Владелец схемы и роль сервера должны быть разными ролями
store-STORE_NO_ROLE = Роли сервера нет в базе данных: сначала создайте её
store-STORE_NO_USER = В адресе базы данных не указана роль сервера

store-STORE = Ошибка хранилища центра: { $detail }
store-DATA_LOCKED = Папка данных { $path } уже используется другой программой kezek-center
store-LOG_DAMAGED = Журнал принятых записей { $path } повреждён со смещения { $offset } байт; центр не запущен, файл не изменён. Скопируйте папку данных в сторону, затем восстановите её из резервной копии или создайте новый центр и снова загрузите журналы киосков
