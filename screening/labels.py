"""Words the screens show for codes: bands, statuses, dimensions, answers.

Strings are marked with N_ and translated when shown, in the language asked
for, so a result can be read in the interface language while answer options
appear in the interview language.
"""

from __future__ import annotations

from flask_babel import gettext

from screening.documents.trust import TrustError
from screening.i18n import N_, gettext_in

# The outcome wording of DOMAIN.md, exactly. `not_established` never reads
# as "not a victim".
BAND_HEADINGS = {
    "likely": N_("Likely victim of trafficking"),
    "possible": N_("Possible victim of trafficking"),
    "not_established": N_("Trafficking indicators were not established"),
}
BAND_TEXTS = {
    "likely": N_(
        "Likely victim of trafficking under the common standard. Refer for "
        "formal identification, protection and assistance."
    ),
    "possible": N_(
        "Possible victim of trafficking. Further assessment needed; refer and "
        "arrange a follow-up interview."
    ),
    "not_established": N_(
        "Trafficking indicators were not established at this screening. This "
        "does not mean the person is not a victim; offer information, services "
        "and a way to be screened again."
    ),
}
NON_PUNISHMENT = N_(
    "Acts the person was made to commit, such as defrauding people online, "
    "crossing a border irregularly, sex work or using false documents, are "
    "indicators of trafficking. They are not a reason to punish the person or "
    "to exclude them from protection (the non-punishment principle)."
)
STATUSES = {
    "in_progress": N_("In progress"),
    "stopped": N_("Stopped: no consent"),
    "completed": N_("Completed"),
}
# Why a trust file or a withdrawal was refused, by TrustError code.
TRUST_PROBLEMS = {
    "too_large": N_("The file is too large: at most 2 MB."),
    "not_bundle": N_("This is not a trust bundle (a PEM file of certificates)."),
    "not_ecdsa": N_("Only ECDSA certificates are accepted."),
    "own_certificate": N_(
        "This bundle holds a certificate of this instance. Import only a "
        "counterpart agency's bundle."
    ),
    "two_agencies": N_(
        "This bundle holds certificates of two agencies trusted here. It was not "
        "imported: ask the agency for a bundle of its own certificates only."
    ),
    "no_signing_certificate": N_(
        "This bundle holds no document-signing certificate. A CA certificate "
        "is never trusted on its own: ask the agency for its own trust bundle."
    ),
    "busy": N_("Another import changed the trust at the same moment. Try again."),
    "changed": N_(
        "The trust changed since you checked this bundle, so it was not imported. "
        "Import the bundle again and check its certificates once more."
    ),
    "not_list": N_("This is not a signed revocation list."),
    "bad_entry": N_(
        "Entry %(entry)d of the list is not a valid revocation. The list was not "
        "imported."
    ),
    "too_many_entries": N_(
        "The list has more than %(limit)d entries. It was not imported."
    ),
    "own_list": N_("This is our own revocation list: only counterparts import it."),
    "list_untrusted": N_(
        "The list is not signed by an agency trusted here, or its certificate "
        "is not valid now. Import that agency's trust bundle first."
    ),
    "list_signature": N_(
        "The signature of the list does not hold: it was changed after signing."
    ),
    "list_older": N_(
        "This list (number %(sequence)d) is older than the one already imported "
        "(number %(kept)d). It was not imported: an older list cannot bring back "
        "a revoked document."
    ),
    "list_shrinks": N_(
        "This list leaves out a document that the list already imported revoked "
        "or replaced. It was not imported: a revocation is never undone."
    ),
    "no_certificate": N_("This instance has no signing certificate yet."),
    "not_ours": N_("This instance did not issue that document."),
    "already_withdrawn": N_("This document was already revoked or replaced."),
    "bad_replacement": N_(
        "The replacing document must be a valid document issued here."
    ),
    "other_screening": N_(
        "The replacing document must be a later result of the same screening."
    ),
    "replaces_itself": N_("A document cannot replace itself."),
    "bad_document_id": N_("A document ID looks like 6f0c1d2e-3a4b-4c5d-8e9f-…"),
    "no_reason": N_("Give a reason."),
}
DOCUMENT_STATUSES = {
    "valid": N_("Valid"),
    "revoked": N_("Revoked"),
    # Translators: a signed document replaced by a newer one.
    "superseded": N_("Replaced"),
}
ELEMENTS = {
    # Translators: the three elements of the Palermo Protocol definition of
    # trafficking (act, means, purpose), as used in national anti-trafficking law.
    "act": N_("Act"),
    "means": N_("Means"),
    "purpose": N_("Purpose"),
}
ELEMENT_HINTS = {
    "act": N_("recruited, moved, handed over, housed or received"),
    "means": N_("deception, coercion or abuse of vulnerability"),
    "purpose": N_("exploitation"),
}
# Translators: the weight of an indicator in the common standard.
STRENGTHS = {"S": N_("strong"), "M": N_("medium"), "W": N_("weak")}
PROFILES = {"adult": N_("adult"), "child": N_("child")}
ANSWERS = {
    "yes": N_("Yes"),
    "no": N_("No"),
    "dont_know": N_("Don't know"),
    "declined": N_("Prefer not to say"),
}
STATES = {
    "yes": N_("yes"),
    "no": N_("no"),
    "unknown": N_("unknown"),
    "declined": N_("declined"),
}
FLAGS = {
    "labour_rights": N_(
        "Exploitative conditions without a means dimension: consider a "
        "labour-rights referral as well."
    ),
}


def label(table: dict[str, str], key: str, language: str) -> str:
    """The translated label of a code, or the code itself when unknown."""
    message = table.get(key)
    return gettext_in(language, message) if message else key


PATTERNS = {
    "a": N_("two or more strong indicators"),
    "b": N_("one strong indicator and at least one medium or weak"),
    "c": N_("three or more medium indicators"),
    "d": N_("two medium indicators and at least one weak"),
}


def trust_problem(error: TrustError) -> str:
    """A refused trust file or withdrawal, in the interface language."""
    message = TRUST_PROBLEMS.get(error.code, N_("This cannot be done."))
    return gettext(message, **error.values)
