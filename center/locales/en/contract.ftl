# The e-contract a parent signs when choosing a kindergarten (center/src/parents/views.rs).
# Its SHA-256 is signed with the choice: a change of wording changes the contracts' hashes.

parent-contract =
    AGREEMENT on pre-school education and care

    Kindergarten: { $kindergarten } ({ $kid }), { $address }.
    Child: { $child }, IIN { $child_iin }, born { $birth }.
    Legal representative: { $parent }, IIN { $parent_iin }.
    Application: { $application }; group language: { $language }; group year: { $year }.

    The kindergarten admits the child to the group and provides pre-school education and care under the state compulsory standard. The legal representative brings the child to the kindergarten with the documents named in the direction and reports the child's absences. The agreement is signed electronically and is in force until the child leaves the kindergarten.
