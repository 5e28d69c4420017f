"""Oslo's reference data: the 15 bydeler, the police district's units and the agreement's
seven priority areas (Politirådsavtale Oslo 2023–2025)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.models import Bydel, Council, PoliceUnit, PriorityArea, UnitCoverage

OSLO_BYDELER = (
    ("01", "Gamle Oslo"),
    ("02", "Grünerløkka"),
    ("03", "Sagene"),
    ("04", "St. Hanshaugen"),
    ("05", "Frogner"),
    ("06", "Ullern"),
    ("07", "Vestre Aker"),
    ("08", "Nordre Aker"),
    ("09", "Bjerke"),
    ("10", "Grorud"),
    ("11", "Stovner"),
    ("12", "Alna"),
    ("13", "Østensjø"),
    ("14", "Nordstrand"),
    ("15", "Søndre Nordstrand"),
)

# Unit → bydeler it covers; Frogner is split between Sentrum and Vest (partial).
OSLO_UNITS = (
    ("ost", "Enhet Øst", ("11", "10", "09", "12", "14", "13", "15"), ()),
    ("sentrum", "Enhet Sentrum", ("01", "02", "03", "04"), ("05",)),
    ("vest", "Enhet Vest", ("08", "07", "06"), ("05",)),
)

PRIORITY_AREAS = (
    (1, "Felles innsats i prioriterte områder", "Joint efforts in priority areas"),
    (2, "Åpne rusmiljø", "Open drug scenes"),
    (3, "Seksuelle overgrep og vold i nære relasjoner", "Sexual abuse and domestic violence"),
    (4, "Kriminelle nettverk", "Criminal networks"),
    (5, "Barne- og ungdomskriminalitet", "Child and youth crime"),
    (
        6,
        "Hatkriminalitet, radikalisering og voldelig ekstremisme",
        "Hate crime, radicalisation and violent extremism",
    ),
    (7, "Arbeidslivskriminalitet", "Work-related crime"),
)


def load_oslo_reference_data(session: Session, council: Council) -> None:
    """Add Oslo's bydeler, police units with their coverage, and the priority areas."""
    bydeler = {
        code: Bydel(council_id=council.id, code=code, name=name) for code, name in OSLO_BYDELER
    }
    session.add_all(bydeler.values())
    for code, name, whole, partial in OSLO_UNITS:
        unit = PoliceUnit(council_id=council.id, code=code, name=name)
        unit.coverage = [UnitCoverage(bydel=bydeler[c], partial=False) for c in whole] + [
            UnitCoverage(bydel=bydeler[c], partial=True) for c in partial
        ]
        session.add(unit)
    session.add_all(
        PriorityArea(council_id=council.id, number=n, name_nb=nb, name_en=en)
        for n, nb, en in PRIORITY_AREAS
    )
    session.flush()
