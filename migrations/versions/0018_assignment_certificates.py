"""certificates for assignments with a stricter rule: their kind, the assignment and what it asked; one per
learner and assignment

Revision ID: 0018_assignment_certificates
Revises: 0017_sso
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_assignment_certificates'
down_revision = '0017_sso'
branch_labels = None
depends_on = None

ASSIGNED = sa.text("assignment_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('course', 'assignment', name='certificate_kind',
                                                      native_enum=False, length=16),
                                      server_default='course', nullable=False))
        batch_op.add_column(sa.Column('assignment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assignment_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('requirement', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_certificates_assignment_id_assignments'), 'assignments',
                                    ['assignment_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('uq_certificates_assignment', ['assignment_id', 'user_id'], unique=True,
                              sqlite_where=ASSIGNED, postgresql_where=ASSIGNED)


def downgrade() -> None:
    op.execute("DELETE FROM certificates WHERE kind = 'assignment'")
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index('uq_certificates_assignment', sqlite_where=ASSIGNED, postgresql_where=ASSIGNED)
        batch_op.drop_constraint(batch_op.f('fk_certificates_assignment_id_assignments'), type_='foreignkey')
        batch_op.drop_column('requirement')
        batch_op.drop_column('assignment_title')
        batch_op.drop_column('assignment_id')
        batch_op.drop_column('kind')
