"""Signed result documents: rendering, signing, trust, revocation, verification.

Every module here is free of Flask and SQLAlchemy; the command line and the
web application call them with plain data and an instance folder.
"""
