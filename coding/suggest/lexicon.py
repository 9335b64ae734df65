"""Hand-written multilingual lexicons (sv, nb, da, en) for the rule-based suggesters.

Terms are written in their dictionary form; matching goes through lemmas, Scandinavian
suffix rules and compound heads (see `matching.PhraseMatcher`), so "mäklaren",
"fastighetsmäklaren" and "mäklarens" all hit "mäklare". Words that are common in another
sense are only listed inside a longer phrase ("min far", not "far").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from coding.suggest.lemmas import NORDIC
from coding.suggest.matching import PhraseMatcher
from coding.suggest.nlp import tokenize
from coding.suggest.types import CodebookEntry

Terms = dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True, eq=False)
class Concept:
    """A lexicon concept: canonical English name and its terms per language.

    Compared and hashed by identity: concepts are module constants.

    `proper` terms are names (Skatteverket, Facebook) proposed as written.
    """

    key: str
    name: str
    terms: Terms
    proper: tuple[str, ...] = ()
    ownership: str | None = None
    actor_type: str | None = None


def _c(
    key: str, name: str, sv: str, nb: str, da: str, en: str, *, proper: str = "",
    ownership: str | None = None, actor_type: str | None = None,
) -> Concept:
    """A concept from comma-separated terms per language."""
    terms = {lang: _split(words) for lang, words in (("sv", sv), ("nb", nb), ("da", da), ("en", en))}
    return Concept(key, name, terms, _split(proper), ownership, actor_type)


def _split(words: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in words.split(",") if word.strip())


ROLES: tuple[Concept, ...] = (
    _c("bank", "Bank", "bank, bankrådgivare, bankman, långivare, bolåneinstitut",
       "bank, bankrådgiver, långiver", "bank, bankrådgiver, bankmand, realkreditinstitut",
       "bank, lender, mortgage lender, bank adviser, bank advisor",
       ownership="third_party", actor_type="organisation"),
    _c("estate_agent", "Estate agent", "mäklare, fastighetsmäklare, mäklarfirma, mäklarbyrå",
       "megler, eiendomsmegler, meglerfirma, meglerkontor",
       "mægler, ejendomsmægler, boligmægler, mæglerfirma",
       "estate agent, real estate agent, realtor, letting agent, broker",
       ownership="third_party", actor_type="person"),
    _c("supplier", "Supplier", "leverantör", "leverandør", "leverandør",
       "supplier, vendor, provider", ownership="partner", actor_type="organisation"),
    _c("sales_rep", "Sales rep", "säljare, försäljare, kundansvarig, säljrepresentant",
       "selger, salgsrepresentant, kundeansvarlig", "sælger, salgsrepræsentant, kundeansvarlig",
       "sales rep, salesperson, sales representative, salesman, saleswoman, account manager",
       ownership="company", actor_type="person"),
    _c("customer_service", "Customer service", "kundtjänst, kundservice, kundsupport, support",
       "kundeservice, kundesenter, kundestøtte, support",
       "kundeservice, kundecenter, support",
       "customer service, customer support, support, helpdesk, help desk, call centre, call center",
       ownership="company", actor_type="organisation_unit"),
    _c("colleague", "Colleague", "kollega, arbetskamrat", "kollega, arbeidskollega",
       "kollega, arbejdskollega", "colleague, coworker, co-worker",
       ownership="customer_sphere", actor_type="person"),
    _c("employer", "Employer", "arbetsgivare, chef, ledning, ledningsgrupp",
       "arbeidsgiver, sjef, ledelse, ledergruppe", "arbejdsgiver, chef, ledelse",
       "employer, boss, line manager, management team",
       ownership="customer_sphere", actor_type="person"),
    _c("family", "Family", "familj, släkt, barn, syster, bror, mina föräldrar",
       "familie, slekt, barn, søster, bror, søsken",
       "familie, slægt, børn, søster, bror, søskende",
       "family, relatives, children, kids, sister, brother, siblings",
       ownership="customer_sphere", actor_type="group"),
    _c("parents", "Parents", "föräldrar, förälder, mamma, pappa, min mor, min far, svärföräldrar",
       "foreldre, forelder, mamma, pappa, min mor, min far, svigerforeldre",
       "forældre, forælder, mor, far, svigerforældre",
       "parents, mum, mom, mother, dad, father, in-laws",
       ownership="customer_sphere", actor_type="person"),
    _c("partner", "Partner", "sambo, särbo, fru, hustru, make, maka, min man, flickvän, pojkvän",
       "samboer, kone, ektemann, min mann, kjæreste", "samlever, kone, hustru, min mand, kæreste",
       "partner, wife, husband, spouse, girlfriend, boyfriend",
       ownership="customer_sphere", actor_type="person"),
    _c("friend", "Friend", "vän, kompis, väninna, bekant", "venn, venninne, kompis, kamerat, bekjent",
       "ven, veninde, kammerat, bekendt", "friend, buddy, acquaintance",
       ownership="customer_sphere", actor_type="person"),
    _c("neighbour", "Neighbour", "granne", "nabo", "nabo", "neighbour, neighbor",
       ownership="customer_sphere", actor_type="person"),
    _c("forum", "Forum", "forum, diskussionsforum, facebookgrupp", "forum, diskusjonsforum",
       "forum, debatforum", "forum, online community, facebook group, subreddit",
       proper="Flashback, Reddit", ownership="third_party", actor_type="online_community"),
    _c("reviews", "Reviews", "recension, omdöme, betyg, recensent", "anmeldelse, omtale, vurdering",
       "anmeldelse, bedømmelse", "review, reviewer, rating", proper="Trustpilot",
       ownership="third_party", actor_type="user_generated"),
    _c("marketplace", "Marketplace", "annonssajt, jämförelsesajt", "markedsplass, sammenligningsside",
       "markedsplads, sammenligningsside", "marketplace, comparison site, property portal",
       proper="Hemnet, Booli, Blocket, Prisjakt, Pricerunner, Finn, Boligsiden, Zoopla, Rightmove",
       ownership="third_party", actor_type="organisation"),
    _c("authority", "Authority", "myndighet, kommun, länsstyrelse", "myndighet, kommune, etat",
       "myndighed, kommune, styrelse", "authority, authorities, council, municipality, government agency",
       ownership="third_party", actor_type="authority"),
    _c("tax_agency", "Tax agency", "skattemyndighet", "skattemyndighet", "skattemyndighed",
       "tax office, tax agency, tax authority",
       proper="Skatteverket, Skatteetaten, Skat, Skattestyrelsen, HMRC, IRS",
       ownership="third_party", actor_type="authority"),
    _c("land_registry", "Land registry", "inskrivningsmyndighet", "tinglysing", "tinglysning",
       "land registry", proper="Lantmäteriet, Kartverket, Tinglysningsretten, Geodatastyrelsen",
       ownership="third_party", actor_type="authority"),
    _c("financial_authority", "Financial supervisory authority", "", "", "",
       "financial regulator", proper="Finansinspektionen, Finanstilsynet, Konsumentverket, Forbrukerrådet",
       ownership="third_party", actor_type="authority"),
    _c("insurer", "Insurer", "försäkringsbolag, försäkringsgivare", "forsikringsselskap",
       "forsikringsselskab", "insurer, insurance company, underwriter",
       ownership="third_party", actor_type="organisation"),
    _c("inspector", "Inspector", "besiktningsman, besiktningsfirma, besiktningsperson",
       "takstmann, takstmenn, bygningssakkyndig", "bygningssagkyndig, synsmand",
       "surveyor, inspector, home inspector", ownership="third_party", actor_type="person"),
    _c("movers", "Movers", "flyttfirma, flyttgubbe, flyttbolag", "flyttebyrå, flyttefirma",
       "flyttefirma, flyttemand", "movers, removal company, moving company, removals firm",
       ownership="third_party", actor_type="organisation"),
    _c("accountant", "Accountant", "revisor, redovisningskonsult, bokförare",
       "regnskapsfører, revisor", "revisor, bogholder", "accountant, auditor, bookkeeper",
       ownership="third_party", actor_type="person"),
    _c("lawyer", "Lawyer", "advokat, jurist", "advokat, jurist", "advokat, jurist",
       "lawyer, solicitor, attorney, notary", ownership="third_party", actor_type="person"),
    _c("procurement", "Procurement", "inköp, inköpsavdelning, inköpare, upphandlare",
       "innkjøp, innkjøpsavdeling, innkjøper", "indkøb, indkøbsafdeling, indkøber",
       "procurement, purchasing department, purchaser, buyer team",
       ownership="customer_sphere", actor_type="organisation_unit"),
    _c("trade_fair", "Trade fair", "mässa, fackmässa, branschmässa", "messe, fagmesse",
       "messe, fagmesse", "trade fair, trade show, expo, exhibition",
       ownership="third_party", actor_type="event"),
    _c("competitor", "Competitor", "konkurrent", "konkurrent", "konkurrent",
       "competitor, rival", ownership="third_party", actor_type="organisation"),
    _c("consultant", "Consultant", "konsult, rådgivare", "konsulent, rådgiver",
       "konsulent, rådgiver", "consultant, adviser, advisor", ownership="third_party",
       actor_type="person"),
    _c("contractor", "Contractor", "hantverkare, byggfirma, snickare, entreprenör",
       "håndverker, entreprenør, snekker", "håndværker, entreprenør, tømrer",
       "builder, contractor, tradesman, plumber, electrician",
       ownership="third_party", actor_type="organisation"),
    _c("landlord", "Landlord", "hyresvärd, värd", "utleier", "udlejer", "landlord",
       ownership="third_party", actor_type="organisation"),
    _c("housing_cooperative", "Housing cooperative", "bostadsrättsförening, styrelse",
       "borettslag, sameie", "andelsboligforening, ejerforening",
       "housing association, housing cooperative, homeowners association",
       ownership="third_party", actor_type="organisation"),
    _c("seller", "Seller", "säljarna, försäljaren", "selgerne", "sælgerne", "the seller, the sellers",
       ownership="third_party", actor_type="person"),
)

CHANNELS: tuple[Concept, ...] = (
    _c("app", "App", "app, mobilapp, bankapp", "app, mobilapp", "app, mobilapp",
       "app, mobile app"),
    _c("web_site", "Web site", "webbplats, hemsida, webbsida, sajt, nätet",
       "nettside, nettsted, hjemmeside, nettet", "hjemmeside, webside, netside, nettet",
       "website, web site, webpage, homepage, online"),
    _c("web_shop", "Web shop", "webbshop, webbutik, nätbutik, e-handel", "nettbutikk, nettbutik",
       "webshop, netbutik", "online shop, online store, web shop, webshop, e-commerce"),
    _c("email", "E-mail", "mejl, mail, e-post, epost, mejla, maila", "e-post, epost, mail, mailet",
       "e-mail, mail, mailen", "email, e-mail, mail, emailed"),
    _c("phone", "Phone", "telefon, telefonsamtal, ringa, samtal", "telefon, telefonsamtale, ringe",
       "telefon, telefonopkald, ringe, opkald", "phone, telephone, phone call, phoned, rang, ring"),
    _c("chat", "Chat", "chatt, chat, livechatt, chatta", "chat, chatte, livechat",
       "chat, chatte, livechat", "chat, live chat, chatted"),
    _c("chatbot", "Chatbot", "chattbot, chatbot, chattrobot", "chatbot, chatterobot", "chatbot",
       "chatbot, chat bot, virtual assistant"),
    _c("social_media", "Social media", "sociala medier, socialt medium", "sosiale medier",
       "sociale medier", "social media",
       proper="Facebook, Instagram, LinkedIn, TikTok, Twitter, YouTube, Snapchat"),
    _c("search_engine", "Search engine", "sökmotor, googla, googlade", "søkemotor, google, googlet",
       "søgemaskine, google, googlede", "search engine, googled, googling",
       proper="Google, Bing"),
    _c("store", "Store", "butik, affär, kontor, filial, bankkontor, butiken",
       "butikk, filial, kontor, bankkontor", "butik, forretning, filial, kontor",
       "store, shop, branch, office, showroom"),
    _c("fair", "Fair", "mässa, fackmässa", "messe, fagmesse", "messe, fagmesse",
       "fair, trade fair, trade show, expo"),
    _c("sales_rep", "Sales rep", "säljare, försäljare, säljmöte", "selger, salgsmøte",
       "sælger, salgsmøde", "sales rep, salesperson, sales meeting"),
    _c("letter", "Letter", "brev", "brev", "brev", "letter, post"),
    _c("sms", "SMS", "sms", "sms, tekstmelding", "sms", "sms, text message"),
    _c("video_call", "Video call", "videomöte, videosamtal", "videomøte", "videomøde",
       "video call, video meeting", proper="Teams, Zoom"),
)

TOUCHPOINTS: tuple[Concept, ...] = (
    _c("meeting", "Meeting", "möte, besök, träff", "møte, besøk", "møde, besøg",
       "meeting, visit, appointment"),
    _c("viewing", "Viewing", "visning, husvisning", "visning, fremvisning", "fremvisning, åbent hus",
       "viewing, open house"),
    _c("advertisement", "Advertisement", "annons, reklam, kampanj", "annonse, reklame, kampanje",
       "annonce, reklame, kampagne", "advertisement, advert, ad, commercial, campaign"),
    _c("newsletter", "Newsletter", "nyhetsbrev", "nyhetsbrev", "nyhedsbrev", "newsletter"),
    _c("quote", "Quote", "offert, anbud, prisförslag", "tilbud, anbud, pristilbud",
       "tilbud, prisoverslag", "quote, quotation, offer, tender"),
    _c("contract", "Contract", "kontrakt, avtal, köpekontrakt", "kontrakt, avtale, kjøpekontrakt",
       "kontrakt, aftale, købsaftale", "contract, agreement"),
    _c("invoice", "Invoice", "faktura, räkning", "faktura, regning", "faktura, regning",
       "invoice, bill"),
    _c("delivery", "Delivery", "leverans, leverering", "levering", "levering", "delivery"),
    _c("demo", "Demo", "demo, demonstration, provkörning", "demo, demonstrasjon, prøvekjøring",
       "demo, demonstration, prøvetur", "demo, demonstration, test drive, trial"),
    _c("application", "Application", "ansökan, låneansökan", "søknad, lånesøknad",
       "ansøgning, låneansøgning", "application, loan application"),
    _c("onboarding", "Onboarding", "introduktion, uppstartsmöte", "oppstartsmøte", "opstartsmøde",
       "onboarding, kick-off"),
)

PAIN_POINTS: tuple[Concept, ...] = (
    _c("waiting", "Waiting", "vänta, väntan, väntetid, kö, dröja, försenad, lång tid",
       "vente, ventetid, kø, forsinket, lang tid", "vente, ventetid, kø, forsinket, lang tid",
       "wait, waiting, queue, delay, delayed, took ages, long time"),
    _c("complexity", "Complicated process", "krångel, krånglig, krångla, byråkrati, omständlig",
       "tungvint, komplisert, byråkrati, styr", "besværlig, kompliceret, bureaukrati, bøvl",
       "complicated, cumbersome, bureaucracy, hassle, red tape"),
    _c("confusion", "Confusing information", "förvirrande, förvirrad, oklar, otydlig, rörig",
       "forvirrende, forvirret, uklar, utydelig, rotete", "forvirrende, forvirret, uklar, utydelig, rodet",
       "confusing, confused, unclear, vague, messy"),
    _c("difficulty", "Difficult", "svår, svårt, problem, svårighet", "vanskelig, problem, vanskelighet",
       "svær, vanskelig, problem, vanskelighed", "difficult, hard, problem, issue, struggle, struggled"),
    _c("cost", "Expensive", "dyr, dyrt, kostsam, avgift", "dyr, kostbar, gebyr",
       "dyr, kostbar, gebyr", "expensive, costly, fee, overpriced"),
    _c("stuck", "Stuck", "fastna, fast, stopp, hänga upp sig", "sitte fast, stoppe opp, kjørt seg fast",
       "sidde fast, gå i stå", "stuck, blocked, stalled, dead end"),
    _c("errors", "Errors", "fel, felaktig, krascha, fungera inte, trasig",
       "feil, krasje, fungerte ikke, virket ikke", "fejl, crashe, virkede ikke, fungerede ikke",
       "error, mistake, crashed, broken, failed, didn't work"),
    _c("stress", "Stress", "stress, stressig, stressande, orolig, oro", "stress, stressende, bekymret, uro",
       "stress, stressende, bekymret, uro", "stress, stressful, worried, anxious"),
    _c("frustration", "Frustration", "frustrerande, irriterande, irriterad, jobbig",
       "frustrerende, irriterende, irritert, slitsom", "frustrerende, irriterende, irriteret, irriterende",
       "frustrating, annoying, annoyed, irritating, frustrated"),
)

NEED_CUES: Terms = {
    "sv": ("behöver", "behövde", "behov", "vill ha", "ville ha", "önskar", "önskade",
           "saknar", "saknade", "förväntar", "förväntade", "krävde", "kräver"),
    "nb": ("trenger", "trengte", "behov", "vil ha", "ville ha", "ønsker", "savner", "savnet",
           "forventer", "forventet", "krevde", "krever"),
    "da": ("har brug for", "havde brug for", "behøver", "behøvede", "behov", "vil have",
           "ville have", "ønsker", "savner", "savnede", "forventer", "forventede", "krævede"),
    "en": ("need", "needs", "needed", "want", "would like", "wish", "miss", "missed",
           "expect", "expected", "require", "required"),
}

# Purpose markers open the goal phrase that follows them. Intention markers ("we wanted")
# name goals; purpose markers ("in order to") name what an action serves (a sub-goal).
INTENTION_MARKERS: Terms = {
    "sv": ("jag ville", "vi ville", "jag vill", "vi vill", "målet var", "målet är", "mitt mål",
           "vårt mål", "drömmen var", "vi hoppades", "jag hoppades", "tanken var", "vi planerade",
           "jag planerade", "vi önskade", "jag önskade"),
    "nb": ("jeg ville", "vi ville", "jeg vil", "vi vil", "målet var", "målet er", "målet mitt",
           "målet vårt", "drømmen var", "vi håpet", "jeg håpet", "tanken var", "vi planla",
           "vi ønsket", "jeg ønsket", "vi hadde lyst til", "jeg hadde lyst til"),
    "da": ("jeg ville", "vi ville", "jeg vil", "vi vil", "målet var", "målet er", "mit mål",
           "vores mål", "drømmen var", "vi håbede", "jeg håbede", "tanken var", "vi planlagde",
           "vi ønskede", "jeg ønskede", "vi havde lyst til", "jeg havde lyst til"),
    "en": ("i wanted", "we wanted", "i want", "we want", "the goal was", "the goal is",
           "our goal", "my goal", "the aim was", "the dream was", "we hoped", "i hoped",
           "we were hoping", "we planned", "i planned", "the idea was", "we'd like", "i'd like"),
}
PURPOSE_MARKERS: Terms = {
    "sv": ("för att", "så att", "i syfte att", "med målet att"),
    "nb": ("for å", "så at", "for at", "med mål om å", "slik at"),
    "da": ("for at", "så at", "så vi kunne", "med henblik på at", "sådan at"),
    "en": ("in order to", "so that", "so as to", "with the aim of", "for the purpose of"),
}

# Words skipped at the start of a goal phrase ("för att kunna köpa" -> "köpa ...").
GOAL_LEAD_SKIP = frozenset(
    "att å at to kunna kunne kan kunde could can be able gärna gjerne gerne "
    "vi jag jeg man de we i they he she han hon hun would should skulle ska skal "
    "will might först først first också også also bara bare just".split()
)
# Words that end a goal phrase: conjunctions, relative pronouns, finite main-clause verbs.
GOAL_BREAK = frozenset(
    "och men eller eftersom därför när då som vilket där innan efter "
    "og eller fordi derfor når da som hvilket der før etter efter "
    "and but or because since when then which that where before after while "
    "behövde behöver måste fick var blev hade gick ringde kontaktade "
    "trengte trenger måtte fikk ble hadde gikk ringte kontaktet "
    "behøvede behøver skulle fik blev havde gik ringede kontaktede "
    "needed need must had got was were became went called contacted".split()
)
NEED_VERBS = frozenset(
    "behövde behöver måste fick trengte trenger måtte fikk behøvede behøver skulle "
    "needed need must had".split()
)
ARTICLES = frozenset("en ett ei et a an the den det de några noen nogle some".split())
FUNCTION_WORDS = ARTICLES | GOAL_LEAD_SKIP | frozenset(
    "och og and i på in on till til for för med with av af of om about från fra from "
    "är er is var was har have ha hade had inte ikke not no nej ja yes det this that "
    "min mitt mina mine my vår vårt våra vores our sin sitt sine deres their".split()
)

# Phase concepts: names that identify a project's phase, and cue words in the text.
PHASE_NAMES: Terms = {
    "awareness": ("awareness", "aware", "medvetenhet", "medveten", "bevissthet", "oppmerksomhet",
                  "kendskab", "opmærksomhed", "upptäckt", "discovery"),
    "interest": ("interest", "interested", "intresse", "intresserad", "interesse", "interessert",
                 "interesseret"),
    "consideration": ("consideration", "considering", "övervägande", "överväger", "vurdering",
                      "vurderer", "overvejelse", "overvejer", "evaluation of options", "research"),
    "purchase": ("purchase", "purchasing", "buying", "buy", "köp", "köper", "kjøp", "kjøper",
                 "køb", "køber", "decision", "beslut", "beslutning"),
    "use": ("use", "using", "during", "usage", "användning", "under", "bruk", "brug", "leverans"),
    "follow_up": ("follow-up", "follow up", "evaluating", "evaluation", "uppföljning",
                  "utvärdering", "utvärderar", "oppfølging", "evaluering", "opfølgning", "after",
                  "efter", "etter"),
    "loyalty": ("loyalty", "trust", "trusting", "lojalitet", "förtroende", "tillit", "tillid",
                "relation", "relationship"),
    "before": ("before", "starting to think", "thinking about", "innan", "före", "før",
               "need arises", "behov"),
    "buying_process": ("buying process", "steps", "köpprocess", "upphandling", "innkjøpsprosess",
                       "anskaffelse", "købsproces", "indkøbsproces", "procurement"),
}
PHASE_CUES: Terms = {
    "awareness": ("upptäcka", "hörde talas om", "såg en annons", "fick syn på", "första gången",
                  "oppdage", "hørte om", "så en annonse", "første gang", "opdage", "så en annonce",
                  "første gang", "discover", "heard about", "first heard", "saw an ad",
                  "came across", "first time", "noticed", "tipsade", "tipset", "tippede"),
    "interest": ("nyfiken", "intresserad", "läste på", "läsa om", "nysgjerrig", "interessert",
                 "leste om", "nysgerrig", "interesseret", "læste om", "curious", "interested",
                 "read about", "looked into", "kolla upp", "sjekke ut", "tjekke"),
    "consideration": ("jämföra", "överväga", "fundera", "alternativ", "välja mellan",
                      "sammenligne", "vurdere", "alternativer", "vælge mellem", "overveje",
                      "compare", "consider", "options", "alternatives", "shortlist",
                      "weigh up", "pros and cons", "för- och nackdelar"),
    "purchase": ("köpa", "köpte", "beställa", "skriva på", "signera", "betala", "kjøpe",
                 "bestille", "signere", "betale", "købe", "underskrive", "buy", "bought",
                 "purchase", "order", "sign", "pay", "checkout", "kassan", "tillträde",
                 "overtakelse", "overtagelse", "handlade", "handlet"),
    "use": ("använda", "installera", "bruke", "installere", "bruge", "use", "install",
            "using", "started using", "vardag", "hverdag", "daily", "every day", "varje dag",
            "hver dag", "inflyttning", "flytte inn", "flytte ind", "moved in", "flyttade in"),
    "follow_up": ("uppföljning", "utvärdera", "efteråt", "reklamation", "klagomål",
                  "oppfølging", "evaluere", "etterpå", "reklamasjon", "klage", "opfølgning",
                  "bagefter", "reklamation", "follow-up", "follow up", "afterwards", "evaluate",
                  "feedback", "complaint", "complain", "enkät", "survey"),
    "loyalty": ("lojal", "återkomma", "rekommendera", "trogen", "igen", "komme tilbake",
                "anbefale", "trofast", "igjen", "komme tilbage", "igen", "loyal", "come back",
                "recommend", "again", "stick with", "stanna kvar", "bli værende", "blive ved",
                "förtroende", "tillit", "tillid", "trust"),
    "before": ("började fundera", "började tänka", "behov uppstod", "begynte å tenke",
               "begyndte at tænke", "started thinking", "started to think", "need arose",
               "innan", "före", "before", "før"),
    "buying_process": ("offert", "upphandling", "anbud", "kravspecifikation", "kravställning",
                       "tilbud", "anskaffelse", "kravspesifikasjon", "udbud", "kravspecifikation",
                       "tender", "rfp", "requirements", "quote", "procurement", "shortlist"),
}

# Valence of words (dictionary forms), -2 .. +2.
VALENCE: dict[str, tuple[tuple[str, int], ...]] = {
    "sv": tuple((w, v) for v, words in (
        (2, "fantastisk underbar suverän perfekt toppen jättebra lysande älska glädje lycklig "
            "tacksam kanon"),
        (1, "bra trevlig nöjd glad smidig enkel lätt hjälpsam positiv snabb tydlig tryggt trygg "
            "gilla uppskatta lättad skön vänlig proffsig professionell"),
        (-1, "dålig krånglig svår jobbig orolig besviken stressig osäker långsam dyr otydlig "
             "irriterad irriterande rörig problem tyvärr tråkig oro"),
        (-2, "hemsk fruktansvärd katastrof katastrofal usel värdelös arg förbannad hata "
             "förfärlig rädd panik mardröm"),
    ) for w in words.split()),
    "nb": tuple((w, v) for v, words in (
        (2, "fantastisk kjempebra perfekt strålende elske glede lykkelig takknemlig supert"),
        (1, "bra fin hyggelig fornøyd glad enkel lett hjelpsom positiv rask tydelig trygg "
            "like setter pris lettet vennlig profesjonell grei"),
        (-1, "dårlig tungvint vanskelig slitsom bekymret skuffet stresset usikker treg dyr "
             "uklar irritert irriterende rotete problem dessverre kjedelig"),
        (-2, "forferdelig grusom katastrofe katastrofal elendig verdiløs sint forbannet hate "
             "redd panikk mareritt"),
    ) for w in words.split()),
    "da": tuple((w, v) for v, words in (
        (2, "fantastisk perfekt fremragende elske glæde lykkelig taknemmelig super"),
        (1, "god godt fin rar tilfreds glad nem let hjælpsom positiv hurtig tydelig tryg "
            "kan lide sætter pris lettet venlig professionel"),
        (-1, "dårlig besværlig svær vanskelig bekymret skuffet stresset usikker langsom dyr "
             "uklar irriteret irriterende rodet problem desværre kedelig"),
        (-2, "forfærdelig frygtelig katastrofe katastrofal elendig værdiløs vred hade bange "
             "panik mareridt"),
    ) for w in words.split()),
    "en": tuple((w, v) for v, words in (
        (2, "fantastic wonderful excellent perfect brilliant amazing love delighted superb "
            "outstanding grateful"),
        (1, "good nice pleased happy smooth easy helpful positive quick clear safe like "
            "appreciate relieved friendly professional kind great caring"),
        (-1, "bad complicated difficult hard worried disappointed stressful stressed unsure slow "
             "expensive unclear annoyed annoying messy problem unfortunately boring rude"),
        (-2, "terrible awful horrible disaster disastrous useless angry furious hate scared "
             "nightmare appalling dreadful"),
    ) for w in words.split()),
}
NEGATIONS = frozenset(
    "inte ej aldrig ingen inget inga icke ikke aldri ingen intet never not no nothing "
    "don't didn't doesn't isn't wasn't won't can't couldn't nor n't".split()
)
INTENSIFIERS = frozenset(
    "väldigt mycket jätte supert otroligt riktigt så veldig svært utrolig kjempe meget rigtig "
    "utroligt very really extremely so incredibly totally".split()
)


@dataclass(frozen=True, slots=True)
class LexiconHit:
    """What a lexicon matcher returns: the concept and whether a proper name matched."""

    concept: Concept
    proper: bool


def concept_matcher(concepts: tuple[Concept, ...], lang: str) -> PhraseMatcher[LexiconHit]:
    """A matcher over the concepts' terms for text in `lang`.

    Nordic text is matched against the terms of all three Nordic languages: they share
    many words, and detection between Norwegian and Danish in short turns is unreliable.
    """
    return _concept_matcher(concepts, lang in NORDIC, lang)


@lru_cache(maxsize=64)
def _concept_matcher(
    concepts: tuple[Concept, ...], nordic: bool, lang: str
) -> PhraseMatcher[LexiconHit]:
    languages = sorted(NORDIC) if nordic else [lang]
    matcher: PhraseMatcher[LexiconHit] = PhraseMatcher()
    for concept in concepts:
        for language in languages:
            for term in concept.terms.get(language, ()):
                matcher.add(term, LexiconHit(concept, False), language)
        for name in concept.proper:
            matcher.add(name, LexiconHit(concept, True), None, compound_head=False)
    return matcher


def term_matcher(terms: Terms, lang: str) -> PhraseMatcher[str]:
    """A matcher over plain cue phrases (markers, need verbs) for text in `lang`."""
    return _term_matcher(tuple(sorted((k, v) for k, v in terms.items())), lang in NORDIC, lang)


@lru_cache(maxsize=64)
def _term_matcher(
    terms: tuple[tuple[str, tuple[str, ...]], ...], nordic: bool, lang: str
) -> PhraseMatcher[str]:
    languages = NORDIC if nordic else {lang}
    matcher: PhraseMatcher[str] = PhraseMatcher()
    for language, phrases in terms:
        if language in languages:
            for phrase in phrases:
                matcher.add(phrase, phrase, language, compound_head=False)
    return matcher


def codes_for_concepts(
    concepts: tuple[Concept, ...], codes: list[CodebookEntry]
) -> dict[str, CodebookEntry]:
    """Existing codes that name a concept, by its English name or by one of its terms."""
    by_key: dict[str, CodebookEntry] = {}
    for code in codes:
        for phrase in (code.name, *code.aliases):
            for concept in concepts:
                if phrase.lower() == concept.name.lower():
                    by_key.setdefault(concept.key, code)
            for lang in ("sv", "en"):
                tokens = tokenize(phrase, lang)
                for match in concept_matcher(concepts, lang).find(tokens):
                    if match.start == 0 and match.end == len(phrase):
                        by_key.setdefault(match.payload.concept.key, code)
    return by_key
