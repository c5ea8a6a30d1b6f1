"""Where patients' queries live: the database (``db``), its tables (``models``) and the plain
functions the rest of the app calls to read and change them (``queries``).

The schema is changed only by Alembic migrations in ``app/migrations``.
"""
