"""The trades vocabulary: each trade's slug, its English and French names, and the other ways
people write it. Data only; meetups.accounts.trades holds the rules."""

from dataclasses import dataclass

from babel import Locale


def _plural(language: str, count: int) -> bool:
    """Whether this count takes the plural in this language (French: 0 and 1 are singular)."""
    return Locale.parse(language).plural_form(abs(count)) != "one"


@dataclass(frozen=True)
class Trade:
    slug: str
    en: tuple[str, str]  # singular, plural
    fr: tuple[str, str, str]  # masculine, feminine, plural
    aliases: tuple[str, ...] = ()  # other ways people write it, in either language

    def label(self, language: str, count: int = 1) -> str:
        """The trade's name in this language, for this many people ("2 rédacteurs web")."""
        forms = self.fr if language == "fr" else self.en
        return forms[-1] if _plural(language, count) else forms[0]

    def forms(self, language: str) -> tuple[str, ...]:
        return self.fr if language == "fr" else self.en


# French labels: the masculine is the generic one in counts ("3 correcteurs"); a person who
# wrote the feminine form ("correctrice") is shown as they wrote it.
VOCABULARY: tuple[Trade, ...] = (
    Trade(
        "redacteur-web",
        ("web writer", "web writers"),
        ("rédacteur web", "rédactrice web", "rédacteurs web"),
        ("rédacteur", "rédactrice", "redacteur seo", "rédactrice seo", "content writer", "writer"),
    ),
    Trade(
        "correcteur",
        ("proofreader", "proofreaders"),
        ("correcteur", "correctrice", "correcteurs"),
        ("relecteur", "relectrice", "correcteur-relecteur", "proof-reader", "copy editor"),
    ),
    Trade(
        "seo",
        ("SEO consultant", "SEO consultants"),
        ("consultant SEO", "consultante SEO", "consultants SEO"),
        ("seo", "référenceur", "référenceuse", "seo expert", "expert seo", "experte seo"),
    ),
    Trade(
        "integrateur",
        ("front-end integrator", "front-end integrators"),
        ("intégrateur web", "intégratrice web", "intégrateurs web"),
        ("intégrateur", "intégratrice", "integrator", "web integrator", "intégrateur html"),
    ),
    Trade(
        "community-manager",
        ("community manager", "community managers"),
        ("community manager", "community manager", "community managers"),
        ("cm", "social media manager", "gestionnaire de communauté"),
    ),
    Trade(
        "graphiste",
        ("graphic designer", "graphic designers"),
        ("graphiste", "graphiste", "graphistes"),
        ("graphic design", "designer graphique", "infographiste"),
    ),
    Trade(
        "developpeur",
        ("developer", "developers"),
        ("développeur", "développeuse", "développeurs"),
        ("développeur web", "développeuse web", "web developer", "dev", "programmer"),
    ),
    Trade(
        "traducteur",
        ("translator", "translators"),
        ("traducteur", "traductrice", "traducteurs"),
        ("traducteur-interprète", "localiser"),
    ),
    Trade(
        "photographe",
        ("photographer", "photographers"),
        ("photographe", "photographe", "photographes"),
    ),
    Trade(
        "illustrateur",
        ("illustrator", "illustrators"),
        ("illustrateur", "illustratrice", "illustrateurs"),
    ),
    Trade(
        "ux-designer",
        ("UX designer", "UX designers"),
        ("designer UX", "designer UX", "designers UX"),
        ("ux", "ui designer", "ux/ui designer", "ui/ux designer", "designer ux/ui", "ergonome"),
    ),
    Trade(
        "webdesigner",
        ("web designer", "web designers"),
        ("webdesigner", "webdesigneuse", "webdesigners"),
        ("web designer", "webdesigner ui"),
    ),
    Trade(
        "concepteur-redacteur",
        ("copywriter", "copywriters"),
        ("concepteur-rédacteur", "conceptrice-rédactrice", "concepteurs-rédacteurs"),
        ("copywriter", "concepteur rédacteur", "conceptrice rédactrice"),
    ),
    Trade(
        "monteur-video",
        ("video editor", "video editors"),
        ("monteur vidéo", "monteuse vidéo", "monteurs vidéo"),
        ("monteur", "monteuse", "video editing"),
    ),
    Trade(
        "videaste",
        ("videographer", "videographers"),
        ("vidéaste", "vidéaste", "vidéastes"),
        ("réalisateur", "réalisatrice", "filmmaker"),
    ),
    Trade(
        "motion-designer",
        ("motion designer", "motion designers"),
        ("motion designer", "motion designer", "motion designers"),
        ("animateur 2d", "animatrice 2d", "motion design"),
    ),
    Trade(
        "sea",
        ("paid-search consultant", "paid-search consultants"),
        ("consultant SEA", "consultante SEA", "consultants SEA"),
        ("sea", "google ads", "search-marketing consultant", "ppc consultant", "traffic manager"),
    ),
    Trade(
        "data-analyst",
        ("data analyst", "data analysts"),
        ("analyste de données", "analyste de données", "analystes de données"),
        ("data analyst", "analyste data", "data scientist"),
    ),
    Trade(
        "chef-de-projet",
        ("project manager", "project managers"),
        ("chef de projet", "cheffe de projet", "chefs de projet"),
        ("chef de projet web", "cheffe de projet web", "chef de projet digital", "product owner"),
    ),
    Trade(
        "attache-de-presse",
        ("press officer", "press officers"),
        ("attaché de presse", "attachée de presse", "attachés de presse"),
        ("relations presse", "publicist", "pr consultant"),
    ),
    Trade(
        "formateur",
        ("trainer", "trainers"),
        ("formateur", "formatrice", "formateurs"),
        ("formateur web", "formatrice web", "instructor"),
    ),
    Trade(
        "assistant-administratif",
        ("virtual assistant", "virtual assistants"),
        ("assistant administratif", "assistante administrative", "assistants administratifs"),
        ("assistante freelance", "assistante indépendante", "secrétaire indépendante", "va"),
    ),
    Trade(
        "comptable",
        ("accountant", "accountants"),
        ("comptable", "comptable", "comptables"),
        ("expert-comptable", "experte-comptable", "expert comptable", "bookkeeper"),
    ),
    Trade(
        "juriste",
        ("legal adviser", "legal advisers"),
        ("juriste", "juriste", "juristes"),
        ("legal advisor", "lawyer", "avocat", "avocate"),
    ),
)
