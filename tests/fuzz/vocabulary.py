"""Words the random tables are made of: real line items, sections and column headers of Norwegian
municipal budgets, so that label handling (length, æøå, ligature pairs, dashes) meets real text."""

from __future__ import annotations

LINE_ITEMS: tuple[str, ...] = (
    "Rammetilskudd",
    "Skatt på inntekt og formue",
    "Eiendomsskatt",
    "Andre skatteinntekter",
    "Andre overføringer og tilskudd fra staten",
    "Overføringer og tilskudd fra andre",
    "Brukerbetalinger",
    "Salgs- og leieinntekter",
    "Lønnsutgifter",
    "Sosiale utgifter",
    "Kjøp av varer og tjenester",
    "Overføringer og tilskudd til andre",
    "Avskrivninger",
    "Renteinntekter",
    "Utbytter",
    "Gevinster og tap på finansielle omsetningsmidler",
    "Renteutgifter",
    "Avdrag på lån",
    "Motpost avskrivninger",
    "Disponering eller dekning av netto driftsresultat",
    "Avsetninger til bundne driftsfond",
    "Bruk av bundne driftsfond",
    "Overføring til investering",
    "Bruk av disposisjonsfond",
    "Avsetning til disposisjonsfond",
    "Refusjon fra staten",
    "Refusjon av sykepenger",
    "Kompensasjon for merverdiavgift",
    "Finansinntekter",
    "Finansutgifter",
    "Offentlige tilskudd",
    "Effektiviseringstiltak",
    "Differanse",
    "Pensjonsutgifter",
    "Premieavvik",
    "Amortisering av tidligere års premieavvik",
    "Kjøp av tjenester som erstatter kommunal tjenesteproduksjon",
    "Investeringer i varige driftsmidler",
    "Tilskudd til andres investeringer",
    "Investeringer i aksjer og andeler i selskaper",
    "Utlån av egne midler",
    "Kompensasjon for merverdiavgift fra investeringer",
    "Bruk av lån",
    "Salg av varige driftsmidler",
    "Bruk av ubundet investeringsfond",
    "Videreutlån",
    "Mottatte avdrag på videreutlån",
    "Netto finans- og avdragsutgifter",
    "Fellesfinansiering",
    "Flyktningetjenesten",
    "Barnevern",
    "Sosialhjelp",
    "Introduksjonsstønad",
    "Ressurskrevende tjenester",
    "Effekt av lønnsoppgjøret",
    "Prisjustering av rammer",
    "Demografikompensasjon",
    "Økt ramme til spesialundervisning",
    "Effektiviseringskrav",
    "Avgiftsfinansierte tjenester",
)

SERVICE_AREAS: tuple[str, ...] = (
    "Barnehage",
    "Grunnskole",
    "Helse og omsorg",
    "Hjemmetjenester",
    "Sykehjem",
    "Kultur og fritid",
    "Teknisk drift",
    "Eiendomsforvaltning",
    "Vann og avløp",
    "Renovasjon",
    "Brann og redning",
    "Plan og miljø",
    "Felles IKT",
    "Politisk styring",
    "Sentraladministrasjonen",
    "Bibliotek",
    "Fysioterapi",
    "Rehabilitering",
    "Boliger for vanskeligstilte",
    "Psykisk helse og rus",
    "Pedagogisk-psykologisk tjeneste",
    "Kirkelig fellesråd",
)

# Section rows without numbers: printed bold, italic or in capitals, never truth rows.
SECTIONS: tuple[str, ...] = (
    "Driftsinntekter",
    "Driftsutgifter",
    "Finansposter",
    "Avsetninger",
    "Driftsrammer",
    "Investeringsutgifter",
    "Investeringsinntekter",
    "Finansiering",
    "Oppvekst",
    "Helse og velferd",
    "Bymiljø og utbygging",
    "Felles tjenester",
    "Herav",
    "Endringer i rammen",
    "Økonomiske nøkkeltall",
    "Avgiftsområdene",
)

TOTALS: tuple[str, ...] = (
    "Sum driftsinntekter",
    "Sum driftsutgifter",
    "Brutto driftsresultat",
    "Netto driftsresultat",
    "Sum finansinntekter",
    "Netto finansutgifter",
    "Sum driftsrammer",
    "Sum investeringsutgifter",
    "Sum finansiering",
    "Totalt",
    "Sum avsetninger",
    "Sum endringer",
)

TEXT_CELLS: tuple[str, ...] = (
    "F3 – Gjennomføring",
    "S – Samlebevilgning",
    "F2 – Forprosjekt",
    "Innenfor rammen",
    "Forsinket",
    "Fullført",
    "B – Bundet",
)

TEXT_HEADERS: tuple[str, ...] = ("Status", "Kategori", "Fase", "Bevilgning")

TITLES: tuple[str, ...] = (
    "Hovedoversikt drift",
    "Driftsrammer per tjenesteområde",
    "Økonomisk oversikt etter art",
    "Bevilgningsoversikt investering",
    "Endringer i driftsrammene",
    "Finansiering av investeringene",
    "Netto driftsutgifter per område",
    "Avgiftsområdene – selvkost",
    "Nøkkeltall for kommunens økonomi",
    "Budsjettavvik per sektor",
)

PROSE: tuple[str, ...] = (
    "Netto driftsresultat ble {a} prosent av driftsinntektene i {y}, mot {b} prosent i "
    "opprinnelig budsjett.",
    "Kommunedirektøren foreslår å øke rammen med {a} mill. kr fra {y}, og effekten av "
    "tiltakene er beregnet til {b} mill. kr.",
    "Tabellen nedenfor viser hvordan finansinntektene og -utgiftene fordeler seg. "
    "Avvikene er kommentert i kapittel {n}.",
    "Lånegjelden var {a} mill. kr ved utgangen av {y}. Det tilsvarer {b} prosent av "
    "brutto driftsinntekter, og handlingsregelen er {n} prosent.",
)
