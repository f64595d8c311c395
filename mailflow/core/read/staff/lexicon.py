"""The words of staff requests: each action's verbs in every form people write them, and the
phrases that ask for it, with how much each tells (read on plain text: see `plain`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# --- verbs in all their forms ----------------------------------------------------------------------

#: The endings of a verb of the first group as folded text writes them (« fermé » is « ferme »):
#: infinitive, present, imperative, participles, imperfect, future and conditional.
_ER = ("er", "e", "es", "ez", "ons", "ent", "ee", "ees", "ant", "ais", "ait", "aient", "ions", "iez",
       "erai", "eras", "era", "erons", "erez", "eront", "erais", "erait", "erions", "eriez")


def er(*stems: str) -> tuple[str, ...]:
    """Every form of first-group verbs from their stems (« ferm » → fermer, ferme, fermez…);
    a stem ending in c or g also gets « -çons », « -geons » as folded text writes them."""
    forms: list[str] = []
    for stem in stems:
        forms += [stem + ending for ending in _ER]
        if stem.endswith("g"):
            forms += [stem + "eons", stem + "eant"]
    return tuple(forms)


def ir(stem: str, participle: str, *others: str) -> tuple[str, ...]:
    """Forms of « ouvrir », « inscrire », « réduire »… from the present stem and the participle."""
    return (stem + "s", stem + "t", stem + "ez", stem + "ons", stem + "ent", participle,
            participle + "e", participle + "s", participle + "es", *others)


OPEN = (*ir("ouvr", "ouvert", "ouvrir", "ouvre", "ouvres", "ouvrira", "ouvrirait", "ouvrirons",
            "ouvrons"),
        *ir("rouvr", "rouvert", "rouvrir", "rouvre", "rouvres", "rouvrira", "rouvrons"),
        *ir("reouvr", "reouvert", "reouvrir", "reouvre", "reouvres", "reouvrira", "reouvrons"),
        "reopen", "re open",  # franglais: « can we re-open the call »
        *er("relanc", "reactiv", "redemarr", "rebascul"), "relancons", "reouverture",
        "rouverture", "ouverture")
CLOSE = (*er("ferm", "clotur", "arret", "stopp", "boucl", "termin", "gel", "verrouill", "coup"),
         "clore", "clos", "close", "closes", "clot", "closons", "clora", "clorai", "closer", "closez",
         "suspend", "suspends", "suspendre", "suspendu", "suspendue", "suspendez")
CLOSING = ("cloture", "fermeture", "arret", "fin")
INSCRIBE = (*ir("inscri", "inscrit", "inscrire", "inscris", "inscrivez", "inscrivons", "inscrira",
                "inscrirait"),
            *er("ajout", "rajout", "enregistr", "integr"), "saisir", "saisis", "saisissez")
PUT = ("mets", "mettre", "mettez", "mettons", "met", "mis", "mise")
GRANT = (*er("valid", "accord", "autoris", "prevoy", "alloue", "octroy"), "mets", "mettre", "met", "mettez",
         "prevoir", "prevu", "prevue", "prevues")
RAISE = (*er("augment", "pass", "mont", "port", "doubl", "elarg", "etend"), "ajout", *er("ajout", "rajout"))
LOWER = (*er("diminu", "baiss", "limit", "plafonn", "restreign", "retir", "enlev", "supprim", "ot",
            "retranch"),
         "descend", "descends", "descendez", "descendons", "descendre", "redescend", "redescendre",
         *ir("redui", "reduit", "reduire", "reduis", "reduisez", "reduisons", "reduira"))
REFUSE = (*er("refus", "ecart", "rejet", "declin", "recal"), "refus")
WITHDRAW = (*er("retir", "desist", "annul", "enlev", "supprim", "retranch"),
            *ir("desinscri", "desinscrit", "desinscrire", "desinscris", "desinscrivez"),
            "desistement", "retrait")
PROMOTE = ("promouvoir", "promeus", "promeut", "promouvez", "promouvons", "promu", "promue", "promus",
           "promues", "promouvra", "promotion", *er("bascul", "repech", "remont", "surclass"))
MOVE = (*er("report", "decal", "deplac", "avanc", "chang", "modifi", "repouss", "recul", "bouge",
            "program", "replanifi", "fix", "transfer", "delocalis", "demenag"),
        "mets", "mettre", "mettez", "met",
        "report", "decalage", "deplacement", "changement", "modification")
EXTEND = (*er("prolong", "repouss", "etend", "allong", "recul", "avanc", "decal"), "prolongation")
VALIDATE = (*er("valid", "accept", "approuv", "adopt", "vot", "agre", "retenu"),
            "retenu", "retenue", "validation", "accord")
ANSWER = (*ir("repond", "repondu", "repondre", "reponds", "repondra", "repondrai"), *er("regl", "trait"),
          "reponse", "resolu", "resolue")


def alt(*families: Iterable[str]) -> str:
    """One alternation of every word, longest first, within word bounds."""
    words = sorted({w for family in families for w in family}, key=len, reverse=True)
    return r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"


# --- what the request is about --------------------------------------------------------------------

CALL = r"\b(?:l )?(?:appels?|call|inscriptions?|candidatures?|enregistrements?|la liste|le groupe|groupe)\b"
PLACES = r"\b(?:places?|participants?|personnes?|inscrits?|membres?|sieges?|fauteuils?)\b"
MEETING = (r"(?<!bonne )(?<!excellente )(?<!belle )(?<!agreable )(?<!bonnes )"
           r"\b(?:(?:premiere|1re|1ere|1er|prochaine|la) )?(?:reunion|rencontre|seance|journee|lancement"
           r"|session|pleniere|rdv|rendez vous|reu)s?\b")
CANDIDATURE = r"\b(?:sa|la|leur|cette|son|une|ma) (?:candidature|inscription|demande|participation)\b"
IDEA = r"\b(?:idees?|propositions?|projets? de groupe|notes? d intention|suggestions?)\b"
QUESTION = r"\b(?:question|demande|interrogation|sollicitation)s?\b"
#: A day as written after « jusqu'au », « le »: « 31 mars », « mardi 31/03 », « 1er avril ».
DAY = (r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) )?(?:\d{1,2}|1er|premier)"
       r"(?: (?:janv\w*|fev\w*|mars|avr\w*|mai|juin|juil\w*|aout|sept\w*|oct\w*|nov\w*|dec\w*)\b|/\d)")
W = r"(?: [^\s]+)"  # one word more (or a figure, « 30/08 »), in a phrase that allows some between its parts
#: After a new number of places: its unit, or nothing that makes it another count (« 2 groupes »).
TOTAL_END = (r"(?= *(?:$|[.,;:!?)\n]|places?\b|participants?\b|personnes?\b|inscrits?\b|membres?\b|stp\b"
             r"|svp\b|merci\b|au lieu\b|et\b|pour\b|des\b|c est\b|du coup\b|max\w*\b|au total\b|en tout\b))")


@dataclass(frozen=True)
class Cue:
    """A phrase that asks for an action, and how much it tells (2 says it, 1 hints at it)."""

    action: str
    pattern: re.Pattern[str]
    weight: float


def _cues(action: str, *patterns: tuple[str, float]) -> list[Cue]:
    return [Cue(action, re.compile(p), w) for p, w in patterns]


CUES: tuple[Cue, ...] = (
    *_cues(
        "close",
        (rf"{alt(CLOSE)}{W}{{0,5}} {CALL}", 2.0),
        (rf"{CALL}{W}{{0,3}} (?:sont |est |seront |sera )?(?:closes?|clos|fermees?|cloturees?|terminees?"
         r"|arretees?|bouclees?|suspendues?)\b", 2.0),
        (rf"{alt(CLOSING)} (?:des |de l |d )?(?:inscriptions?|candidatures?|appel)\b", 1.0),
        (rf"\b(?:on part sur|on acte|on valide|ok pour) (?:une |la )?{alt(CLOSING)}\b", 1.5),
        (r"\bon (?:s )?arret\w* la\b|\bc est (?:boucle|complet|bon pour nous)\b|\bon est complets?\b"
         r"|\bassez de monde\b|\bfait le plein\b|\bau complet\b|\bplein a craquer\b", 2.0),
        (r"\b(?:soit|sera|soient|seront|etre) (?:clos|close|clotur\w*|ferme\w*|arrete\w*|termine\w*)\b", 1.5),
        (r"\bne (?:prend|prends|prenons|prendra|prendrons|accept\w*|recev\w*) plus\b"
         r"|\bne plus (?:accepter|prendre|recevoir|enregistrer)\b", 2.0),
        (r"\bplus de (?:nouvelles? )?(?:candidatures?|inscriptions?|inscrits?)\b|\bfin des "
         r"(?:inscriptions|candidatures)\b|\bstop (?:aux |les |pour les )?(?:inscriptions|candidatures)\b",
         2.0),
        (alt(CLOSE), 1.0),
    ),
    *_cues(
        "open",
        (rf"{alt(OPEN)}(?! (?:\d+|une|un|des|quelques|encore)(?: \w+)? {PLACES}){W}{{0,5}} {CALL}", 2.0),
        (rf"{CALL}{W}{{0,3}} (?:est |sont )?(?:de nouveau |a nouveau )?(?:ouvert|ouverte|ouverts|ouvertes"
         r"|rouvert\w*|reouvert\w*)\b", 2.0),
        (r"\b(?:peuvent|pourront|peut|pourra) (?:de nouveau |a nouveau |desormais |maintenant )?"
         r"(?:candidater|s inscrire|postuler|se porter candidat\w*)\b|\bde nouveau candidater\b", 2.0),
        (rf"\bremet\w* (?:en ligne|en route|en place|en service){W}{{0,3}} {CALL}"
         r"|\bremettre en ligne\b", 2.0),
        (alt(w for w in OPEN if not w.startswith("relanc")), 1.0),  # « relance » alone: a reminder
    ),
    *_cues(
        "capacity",
        (rf"\b\d+{W}? {PLACES}", 0.5),
        (r"\b(?:capacite|jauge|nombre de places|nombre de participants|taille du groupe|effectif max\w*)\b",
         1.5),
        (r"(?:^|\s)[+] ?\d+\b|(?:->|=>|→) ?\d+\b(?![/.]\d| ?h\b)|\bmax(?:imum)? \d+\b", 1.5),
        (rf"(?::|->|=>|→|=) ?\d+ {PLACES}", 1.5),
        (r"\ben (?:rajout|ajout|ouvr|donn|remet)\w* (?:\d+|une|un)\b", 2.0),
        (rf"\bouvr\w* (?:\d+|une|un|des|quelques|encore)(?: \w+)? {PLACES}", 2.0),
        (r"\b(?:va pour|ok pour|on part sur|partons sur|d accord pour) \d+\b(?! ?h\b)(?![/.]\d)", 1.0),
        # « au moins 4 inscrits de plus »: people needed, no places changed
        (rf"(?<!au moins )\b(?:\d+|une|un){W}? (?:de plus|en plus|supplementaires?|de moins|en moins"
         rf"|additionnel\w*)\b|(?<!au )\bmoins \d+ {PLACES}", 2.0),
        (rf"{alt(RAISE, LOWER)}{W}{{0,6}} (?:a|jusqu a) \d+{TOTAL_END}", 2.0),
        (rf"{alt(RAISE, LOWER, INSCRIBE, GRANT, PUT)}{W}{{0,3}} (?:\d+|une|un|des|quelques){W}? {PLACES}",
         2.0),
        (rf"\b(?:accueillir|financer|recevoir|prendre|monter a|passer a) (?:jusqu a )?\d+{TOTAL_END}"
         rf"|\ba \d+ {PLACES}", 1.5),
        (r"\bdoubl(?:er|e|es|ez|ons|ee|ees|ement)\b|\bau lieu des? \d+\b", 1.5),
    ),
    *_cues(
        "add",
        (rf"{alt(INSCRIBE, PUT)}{W}{{0,2}} {CANDIDATURE}", 2.0),
        (r"\b(?:transmet\w*|transfer\w*|envoie|envoi|fais suivre|fait suivre|passe) (?:sa|la|une|cette|leur)"
         r" candidature\b", 2.0),
        (r"\bcandidature (?:recue|prise|remise|donnee|deposee|faite|envoyee|arrivee)\b"
         r"|\bnouvelle candidat\w*\b|\bnouvel inscrit\b|\bnouvelle inscrite\b", 2.0),
        (r"\bm a (?:donne|remis|transmis|envoye|confie) (?:sa|la|une) (?:candidature|inscription)\b", 2.0),
        (r"\b(?:souhaite|voudrait|veut|aimerait|souhaiterait|desire|compte) (?:s inscrire|integrer|rejoindre|"
         r"etre dans|participer|faire partie|candidater|entrer)\b", 1.5),
        (r"\b(?:pour|afin de) (?:s inscrire|candidater|s enregistrer)\b", 1.0),
        (rf"{alt(INSCRIBE)}", 1.0),
    ),
    *_cues(
        "refuse",
        (alt(REFUSE), 2.0),
        (r"\b(?:ne|n) (?:\w+ ){0,2}(?:pas|plus) (?:etre )?(?:\w+ )?retenu\w*\b|\bpas retenu\w*\b"
         r"|\bnon retenu\w*\b"
         r"|\b(?:ne|n) (?:la|le|les|l) (?:retien\w*|gard\w*) pas\b|\bpas eligible\b|\bn est pas eligible\b"
         r"|\bnon eligible\b|\bpas dans les (?:clous|criteres)\b|\bhors (?:profil|criteres|cible)\b", 2.0),
        (r"\b(?:ne|n) (?:\w+ ){0,2}pas (?:garder|conserver|accepter|valider)\b", 1.5),
        (r"\bne (?:peut|pourra|saurait|pourrait|sera|serait) (?:pas )?(?:etre )?retenu\w*\b", 2.0),
        # « réponds à celle de Sarlat que ce ne sera pas possible »: the answer is no
        (r"\b(?:repond\w*|dire|dis|dites|annonc\w*|expliqu\w*|ecri\w*) (?:(?:a|lui|leur) (?:\w+ ){0,4})?"
         r"(?:qu|que) (?:ce ne sera pas possible|ce n est pas possible|c est non|ce sera non"
         r"|(?:on|nous) ne (?:peut|peux|pourra|pouvons|pourrons) pas (?:la |le |l )?(?:prendre|retenir"
         r"|accepter))",
         2.0),
    ),
    *_cues(
        "withdraw",
        (rf"{alt(WITHDRAW)}{W}{{0,2}} {CANDIDATURE}", 2.0),
        (r"\bse (?:retire\w*|desiste\w*|desinscri\w*)\b|\bdesist\w*\b|\bdesinscri\w*\b|\bretrait\b", 2.0),
        (r"\b(?:ne|n) (?:pourra|peut|pourrait|souhaite|veut|va|pourrons|souhaiterait) (?:plus|pas) "
         r"(?:suivre|participer|venir|rester|etre|continuer|assister|faire partie|s investir)\b", 2.0),
        (r"\b(?:quitte|quitter|quittera|renonce\w*|abandonn\w*|laisse tomber)\b", 1.5),
        (r"\bne (?:fera|fait) plus partie\b|\bplus disponible\b|\bjette l eponge\b|\bnous lache\b", 1.5),
        (r"\b(?:l|la|le) (?:enlever|retirer|sortir|desinscrire)\b", 2.0),
        (alt(WITHDRAW), 1.0),
    ),
    *_cues(
        "promote",
        (rf"(?<!charge de )(?<!chargee de ){alt(PROMOTE)}", 2.0),
        (r"\b(?:peut|pourra|va|peuvent|doit) (?:finalement |quand meme |bien )?(?:rentrer|entrer|integrer|"
         r"rejoindre|intégrer|avoir (?:une|sa|la) place|prendre (?:une|la|sa) place|participer)\b", 2.0),
        (r"\bintegre (?:finalement|quand meme|le groupe)\b|\brentre (?:finalement|dans le groupe)\b"
         r"|\bfai\w* (?:r?entrer|integrer)\b", 2.0),
        (r"(?:->|→|=>) ?(?:dans le groupe|confirm\w*|inscrit\w*|retenu\w*|admis\w*|en liste principale)",
         2.0),
        (r"\b(?:la|le|les|l) (?:valider|confirmer|accepter|integrer|prendre)\b", 1.5),
        (r"\b(?:confirme|valide|accepte|integre|prends|prenez|confirmez|validez)[ -](?:la|le|les)\b", 2.0),
        (r"\ben (?:confirme|confirmee|confirmes|liste principale|titulaire)\b", 2.0),
        (r"\b(?:donn\w*|accord\w*|attribu\w*|offr\w*|liber\w*) (?:lui |leur )?(?:une|la|sa|leur) "
         r"place\b", 2.0),
        (r"\bderogation\b|\bexception\b|\b(?:malgre|hors|au dela du|en plus du) (?:le )?quota\b", 1.5),
        (r"\b(?:valid\w*|confirm\w*) (?:sa|la|son|leur) (?:place|inscription|candidature|"
         r"participation)\b", 2.0),
        (r"\bsort\w*(?: (?:la|le|les|l))? (?:de la |de |la )?liste d attente\b", 2.0),
        # « faire passer Hélène de la liste d'attente à confirmée »
        (r"\bde la liste d attente (?:a|en|vers|dans) (?:la liste principale|confirm\w*|inscrit\w*|titulaire"
         r"|le groupe)\b", 2.0),
        (r"\b(?:ok|d accord|feu vert|go) pour (?:elle|lui|eux|son inscription|sa candidature)\b"
         r"|\bon (?:la|le|les) (?:prend|prends|prenons|garde|gardons|accepte|acceptons)\b"
         r"|\b(?:acceptee?s?|retenue?s?) (?:finalement|quand meme|en fin de compte|au final)\b"
         r"|\b(?:tu|vous) (?:la|le|les)? ?confirm\w*\b|\b(?:la|le|les) confirmer\b"
         r"|\b(?:elle|il) est (?:prise?|retenue?|acceptee?|dedans|dans le groupe)\b", 2.0),
        (r"\baccept\w*\b|\b(?:on|je|nous) confirm\w*\b", 1.0),
    ),
    *_cues(
        "meeting",
        (rf"(?<!par )(?<!d )(?<!en ){alt(MOVE)}{W}{{0,5}} {MEETING}|{MEETING}{W}{{0,5}} {alt(MOVE)}", 2.0),
        (rf"{alt(MOVE)}{W}{{0,4}} (?:a|au|pour) \d{{1,2}} ?h", 1.5),
        (r"\bon (?:part|partira|passe|bascule) (?:sur|a|au) (?:le )?(?:lundi|mardi|mercredi|jeudi|vendredi"
         r"|samedi"
         r"|dimanche|\d)", 2.0),
        (r"\b(?:nouvelle date|nouvel horaire|nouvelle heure|date et heure|changement de date|au lieu du"
         r"|au lieu de "
         r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche))\b", 1.5),
        (rf"{MEETING}{W}{{0,6}} (?:le |au |du )?{DAY}", 1.5),
        (MEETING, 0.5),
    ),
    *_cues(
        "place",
        (r"\b(?:changement|modification|chang\w*|modifi\w*|nouveau|nouvelle) (?:de |du |le |la )?(?:lieu"
         r"|salle|"
         r"adresse|endroit)\b|\bnouveau lieu\b|\bnouvelle salle\b|\blieu ?:", 2.0),
        (r"\b(?:on|nous) (?:part|partons|se replie|nous replions|se rabat|va|ira|bascule|deplace\w*) (?:sur"
         r"|a|vers)"
         r" [a-z]", 1.0),
        (r"\b(?:prete|pretent|accueille|accueillent|heberge|hebergent|mettent a disposition"
         r"|met a disposition)"
         r"\b|\bla sienne\b|\bleur salle\b", 1.0),
        (r"\b(?:salle|lieu)\b", 0.5),
        (r"\bmeme (?:date|jour|heure|horaire|creneau)\b", 0.5),
    ),
    *_cues(
        "deadline",
        (r"\b(?:cloture|fermeture|fin|date limite|limite|echeance|clore|fermer|arret) (?:des |de l |d )?"
         r"(?:inscriptions?|candidatures?|appel)\b", 1.0),
        (rf"{alt(EXTEND)}{W}{{0,4}} {CALL}|\bjusqu (?:au|a) \b", 1.5),
        (r"\bdate limite\b|\bdeadline\b|\bclotur\w* (?:avancee|repoussee|prolongee|decalee)\b", 1.5),
        (rf"\bouvert\w* (?:\w+ ){{0,2}}jusqu (?:au|a)\b|\b(?:jusqu au|jusqu a|avant le) {DAY}", 2.5),
        (rf"{alt(CLOSING)} (?:des |de l |d )?(?:inscriptions?|candidatures?|appel)\b", 1.0),
        (rf"{alt(CLOSE, EXTEND)}(?: \w+){{0,3}} (?:au|le|a partir du|jusqu au|a compter du) {DAY}", 1.5),
    ),
    *_cues(
        "idea_validate",
        (alt(VALIDATE), 1.0),
        (r"\b(?:a dit oui|dit oui|feu vert|c est oui|avis favorable|est ok|c est ok|on y va|banco)\b"
         r"|\b(?:ca|conseil|bureau|administrateurs)(?: d administration)? (?:l )?(?:a )?(?:vote|valide"
         r"|approuve|"
         r"accepte|adopte|retenu|donne son accord)\w*\b", 2.0),
    ),
    *_cues(
        "idea_decline",
        (alt(REFUSE), 2.0),
        (r"\b(?:pas|non|n a pas ete|n est pas) retenu\w*\b|\bc est non\b|\ba dit non\b|\bdit non\b"
         r"|\bavis defavorable\b|\bpas de suite\b|\bsans suite\b|\bne (?:sera|va) pas\b"
         r"|\bne (?:donne|donnons|donnera|donnerons) pas suite\b"
         r"|\b(?:ne|n) (?:retien\w*|retenons|gard\w*) pas\b", 2.0),
    ),
    *_cues(
        "idea_advance",
        (rf"\b(?:avanc\w*|fai\w* avancer|pass\w*|mett\w*|met|mis\w*)(?: \w+){{0,2}} {IDEA}"
         r"(?: \w+){0,4} (?:en discussion|a l etude|a l ordre du jour|a l examen|a la reflexion)\b", 2.0),
        (r"\b(?:avanc\w*|fai\w* avancer)(?: l| d une etape| la| cette)? (?:idee|proposition|i ?\d+)\b", 2.0),
        (r"\bnotes? d intention (?:\w+ ){0,2}(?:recue|recu|arrivee|transmise|envoyee|deposee|remise)\b"
         r"|\b(?:recu|eu|reception\w*|enregistr\w*) (?:sa|la|leur|une) notes? d intention\b"
         r"|\b(?:envoye|transmis|remis|depose) (?:sa|la|leur) notes? d intention\b", 2.0),
        (r"\ben discussion\b|\ba l etude\b", 1.0),
    ),
    *_cues(
        "idea_draft",
        (r"\b(?:prepar\w*|cre\w*|mont\w*|constitu\w*|ebauch\w*|rédig\w*|redig\w*|brouillon)(?: \w+){0,3} "
         r"groupe(?: \w+){0,3} (?:de l|d une|issu de l|a partir de l|pour l|de cette) (?:idee|proposition)\b",
         2.0),
        (r"\bbrouillon (?:du|de|d un) groupe\b|\bgroupe (?:en )?brouillon\b", 2.0),
    ),
    *_cues(
        "question_done",
        (r"\b(?:a eu|a recu|a obtenu|a bien eu|ont eu|a) (?:sa|une|la|ses|toutes les|les) (?:reponses?"
         r"|informations?|infos?)\b", 2.0),
        (rf"{QUESTION}[^.!?\n]{{0,100}} (?:est |a ete )?(?:reglee?|traitee?|close|clos|cloturee?|repondue?"
         rf"|resolue?)\b",
         2.0),
        (rf"\b(?:clore|clos|cloturer|fermer|ferme|archiver|classer) (?:sa|la|cette|leur) {QUESTION}", 2.0),
        (r"\b(?:pas|plus) besoin de (?:lui |leur )?(?:repondre|donner suite|renvoyer|rappeler)\b|\b(?:regle"
         r"|reglee|repondu) "
         r"(?:par|au) (?:tel|telephone|mail|courriel)\b|\breponse (?:envoyee|donnee|faite|apportee)\b", 2.0),
        (r"\b(?:q ?\d+|sa question|sa demande) (?:est )?(?:reglee?|traitee?|close|clos|repondue?)\b", 2.0),
        (r"\b(?:rien (?:d autre )?a faire|c est regle|c est traite|deja repondu|deja traite)\b"
         r"|\b(?:a|avons|ai|ont|avait|a deja) (?:deja )?repondu\b|\bc est (?:bon|fait) pour (?:celle|celui"
         r"|elle|lui)", 1.5),
        (r"\bau (?:tel|telephone)\b|\bpar (?:tel|telephone)\b", 0.5),
    ),
)

#: Everything the lexicon is made of, for the reader's typo mending.
WORD_LISTS: tuple[Iterable[str], ...] = (OPEN, CLOSE, INSCRIBE, RAISE, LOWER, REFUSE, WITHDRAW, PROMOTE,
                                         MOVE, EXTEND, VALIDATE, ANSWER, GRANT)

# --- what says a message asks something, or only tells -----------------------------------------------

#: Someone is asked to do something (the mailbox, when nobody else is addressed).
ASKING = re.compile(
    r"\b(?:merci de|merci d|pourrais tu|pourriez vous|peux tu|pouvez vous|tu peux|vous pouvez|tu pourrais|"
    r"vous pourriez|il faut|il faudrait|faudrait|je te laisse|je vous laisse|a traiter|a faire|svp|stp|"
    r"s il te plait|s il vous plait|est ce que tu|est ce que vous|on peut|on pourrait|faut il|peut on|"
    r"je te remercie de|je vous remercie de|bien vouloir|tu veux bien|tu voudrais|vous voudrez|"
    r"pense a|pensez a|n oublie pas|a appliquer|a revoir|le necessaire|serait il possible|est il possible"
    r"|pourrait on|j aimerais|"
    r"je voudrais|je souhaiterais|nous souhaiterions)\b|\?"
    r"|(?:^|\s)a (?!la\b|le\b)\w+(?:er|ir|re)\s*(?:$|\n|merci\b)"
    r"|(?:^|[.!\n] ?)(?:fais|faites|envoie|envoyez|regarde|regardez|verifie|verifiez|appelle|appelez"
    r"|rappelle|"
    r"rappelez|prepare|preparez|contacte|contactez|relance|relancez|reserve|reservez|commande|commandez|"
    r"note|notez|prevois|prevoyez|transmets|transmettez|dis|dites|demande|demandez|organise|cale|calez|"
    r"vois|voyez|occupe toi|gere|gerez|mets|mettez)\b")
#: Told for information only.
TELLING = re.compile(
    r"\b(?:pour info|pour information|pour infos|fyi|a titre d information|pour ton information|pour votre "
    r"information|pour memoire|rien a (?:modifier|faire|changer)|aucune (?:autre )?modification"
    r"|aucune action|"
    r"juste pour (?:info|que tu saches|te dire)|je (?:te|vous) tiens au courant|je partage|je transmets pour|"
    r"en copie pour|pour garder (?:la |une )?trace|pour archive|ne pas tenir compte|message de test|"
    r"petit rappel|pour rappel)\b")
#: The mailbox in copy of a colleagues' conversation.
IN_COPY = re.compile(r"\b(?:en copie|en cc|en cci|je mets (?:la boite|groupes|la bal|le mail)\w*"
                     r"|mets en copie|copie a la (?:boite|bal))\b")
