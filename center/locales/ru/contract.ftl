# The e-contract a parent signs when choosing a kindergarten (center/src/parents/views.rs).
# Its SHA-256 is signed with the choice: a change of wording changes the contracts' hashes.

parent-contract =
    ДОГОВОР об оказании услуг дошкольного воспитания и обучения

    Детский сад: { $kindergarten } ({ $kid }), { $address }.
    Ребёнок: { $child }, ИИН { $child_iin }, дата рождения { $birth }.
    Законный представитель: { $parent }, ИИН { $parent_iin }.
    Заявление: { $application }; язык группы: { $language }; год группы: { $year }.

    Детский сад принимает ребёнка в группу и оказывает услуги дошкольного воспитания и обучения по государственному общеобязательному стандарту. Законный представитель обязуется привести ребёнка в детский сад с документами, названными в направлении, и сообщать об отсутствии ребёнка. Договор подписывается электронно и действует до выпуска ребёнка из детского сада.
