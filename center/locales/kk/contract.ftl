# The e-contract a parent signs when choosing a kindergarten (center/src/parents/views.rs).
# Its SHA-256 is signed with the choice: a change of wording changes the contracts' hashes.

parent-contract =
    Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы ШАРТ

    Балабақша: { $kindergarten } ({ $kid }), { $address }.
    Бала: { $child }, ЖСН { $child_iin }, туған күні { $birth }.
    Заңды өкіл: { $parent }, ЖСН { $parent_iin }.
    Өтініш: { $application }; топ тілі: { $language }; топ жылы: { $year }.

    Балабақша баланы топқа қабылдайды және мемлекеттік жалпыға міндетті стандарт бойынша мектепке дейінгі тәрбие мен оқыту қызметтерін көрсетеді. Заңды өкіл баланы жолдамада аталған құжаттармен балабақшаға әкелуге және баланың болмауы туралы хабарлауға міндеттенеді. Шартқа электронды түрде қол қойылады және бала балабақшадан шыққанға дейін жарамды.
