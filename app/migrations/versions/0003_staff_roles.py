"""Staff roles: who answers questions, who translates which languages.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        # Accounts made before roles existed answer questions, as they did.
        batch.add_column(
            sa.Column("roles", sa.String(length=100), server_default="questions", nullable=False)
        )
        batch.add_column(sa.Column("languages", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("languages")
        batch.drop_column("roles")
