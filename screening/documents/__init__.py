"""Signed result documents: rendering, signing, trust, revocation, verification.

Every module here is free of Flask and SQLAlchemy and works on plain data,
the agency's keys folder and bytes. Where things are kept is the
application's business: the register of issued documents, imported trust
and revocation lists live in its database (``screening.issued``,
``screening.trust_store``); the signing key lives in the instance folder.

- issue: ``issue.Issuer(identity, keys.load_signing_material(folder),
  timestamp_url=...)`` once per process (``screening.issuance.Issuers``
  does that for the app), then ``issuer.issue(scored, standard,
  issue.IssueOptions(...))`` per document (``scored`` is a
  ``batch.ScoredAnswers``);
- verify: ``verify.verify_document(pdf_bytes, context, standards)``,
  ``verify.verify_token(text, context)`` and
  ``verify.verify_token_image(image_bytes, context)`` return a ``Report``
  whose ``as_dict()`` is the JSON report, with messages in en, th and lo;
  the context comes from ``trust.build_trust_context``;
- trust and revocation files: ``trust.export_trust_bundle``,
  ``read_trust_bundle``, ``withdrawal``, ``sign_revocation_list`` and
  ``check_revocation_list``.
"""
