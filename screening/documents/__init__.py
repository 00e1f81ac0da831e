"""Signed result documents: rendering, signing, trust, revocation, verification.

Every module here is free of Flask and SQLAlchemy. The command line
(``commands``) and the web application call them with plain data and an
instance folder:

- issue: build ``issue.Issuer(identity, keys.load_signing_material(folder),
  timestamp_url=..., instance=folder)`` once per process, then
  ``issuer.issue(scored, standard, issue.IssueOptions(...))`` for each
  screening (``scored`` is a ``batch.ScoredAnswers``);
- verify: ``verify.verify_document(pdf_bytes, trust.load_trust_context(folder),
  catalog.standards)``, ``verify.verify_token(text, context)`` and
  ``verify.verify_token_image(image_bytes, context)`` return a ``Report``
  whose ``as_dict()`` is the JSON report, with messages in en, th and lo;
- trust and revocation files: ``trust.export_trust_bundle``,
  ``import_trust_bundle``, ``revoke``, ``export_revocation_list`` and
  ``import_revocation_list``.
"""
