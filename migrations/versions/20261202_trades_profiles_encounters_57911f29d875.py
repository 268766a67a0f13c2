"""trades: a vocabulary's slug on each account, complementary pairs, profiles, encounters

Revision ID: 57911f29d875
Revises: b7e3c1a94d25
Create Date: 2026-12-02 07:00:00

- `users.trade_slug`: the vocabulary's slug for what the person typed as their trade, filled
  here for existing accounts by the vocabulary of this release (`meetups.accounts.trades`);
  free text keeps NULL and is shown as typed.
- `users.visibility` replaces `is_unlisted`: an unlisted person becomes `hidden` (off the
  lists others see, as before), everyone else `members` (seen by signed-in members, as before).
- Profile fields: `wants_suggestions` (off: opting in is a choice), `offers`, `looking_for`,
  `links` (a JSON list of URLs), `language` (NULL: the browser's).
- `trade_pairs`: complementary trades as data, seeded with the pairs below; admins change
  them with `flask trade-pairs add|remove A B`.
- `encounters`: "I met this person" at a gathering; a pair of them makes a contact.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "57911f29d875"
down_revision = "b7e3c1a94d25"
branch_labels = None
depends_on = None

# Who a freelancer would want to meet, for their own work or their clients'.
SEEDED_PAIRS = (
    ("correcteur", "redacteur-web"),  # a web writer's texts, proofread
    ("integrateur", "seo"),  # pages that search engines can read
    ("redacteur-web", "seo"),  # content that ranks
    ("community-manager", "seo"),  # audience from search and from social
    ("redacteur-web", "traducteur"),  # one text, several languages
    ("correcteur", "traducteur"),  # a translation, proofread
    ("concepteur-redacteur", "correcteur"),  # slogans without typos
    ("concepteur-redacteur", "graphiste"),  # words and images of one campaign
    ("integrateur", "webdesigner"),  # a mock-up, built
    ("developpeur", "ux-designer"),  # an interface, designed then coded
    ("integrateur", "ux-designer"),
    ("graphiste", "photographe"),  # pictures for a brand's layouts
    ("graphiste", "illustrateur"),
    ("community-manager", "photographe"),  # something to post
    ("community-manager", "monteur-video"),
    ("monteur-video", "videaste"),  # shot, then cut
    ("motion-designer", "monteur-video"),
    ("sea", "seo"),  # paid and organic search together
    ("data-analyst", "sea"),  # campaigns measured
    ("chef-de-projet", "developpeur"),  # a site delivered
    ("attache-de-presse", "community-manager"),  # press and social media
    ("redacteur-web", "webdesigner"),  # a site with its words
    ("assistant-administratif", "comptable"),  # the paperwork of a small business
    ("comptable", "juriste"),  # statutes and accounts
)


def upgrade():
    trade_pairs = op.create_table(
        "trade_pairs",
        sa.Column("first", sa.String(length=40), nullable=False),
        sa.Column("second", sa.String(length=40), nullable=False),
        sa.CheckConstraint("first < second", name=op.f("ck_trade_pairs_ordered")),
        sa.PrimaryKeyConstraint("first", "second", name=op.f("pk_trade_pairs")),
    )
    op.bulk_insert(trade_pairs, [{"first": a, "second": b} for a, b in map(sorted, SEEDED_PAIRS)])
    op.create_table(
        "encounters",
        sa.Column("gathering_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("met_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("user_id <> met_id", name=op.f("ck_encounters_not_oneself")),
        sa.ForeignKeyConstraint(
            ["gathering_id"],
            ["gatherings.id"],
            name=op.f("fk_encounters_gathering_id_gatherings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["met_id"], ["users.id"], name=op.f("fk_encounters_met_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_encounters_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("gathering_id", "user_id", "met_id", name=op.f("pk_encounters")),
    )
    op.create_index("ix_encounters_user_id_met_id", "encounters", ["user_id", "met_id"])

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trade_slug", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("visibility", sa.String(length=8), server_default="members", nullable=False)
        )
        batch_op.add_column(
            sa.Column("wants_suggestions", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("offers", sa.String(length=280), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("looking_for", sa.String(length=280), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("links", sa.JSON(), server_default="[]", nullable=False))
        batch_op.add_column(sa.Column("language", sa.String(length=8), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_trade_slug"), ["trade_slug"], unique=False)
        batch_op.create_check_constraint(
            "visibility", "visibility IN ('public', 'members', 'hidden')"
        )

    op.execute("UPDATE users SET visibility = 'hidden' WHERE is_unlisted")
    _fill_trade_slugs()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("is_unlisted")


def _fill_trade_slugs():
    from meetups.accounts.trades import canonical

    bind = op.get_bind()
    typed = bind.execute(sa.text("SELECT DISTINCT trade FROM users WHERE trade <> ''")).scalars()
    for trade in list(typed):
        slug = canonical(trade)
        if slug:
            bind.execute(
                sa.text("UPDATE users SET trade_slug = :slug WHERE trade = :trade"),
                {"slug": slug, "trade": trade},
            )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_unlisted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute("UPDATE users SET is_unlisted = (visibility = 'hidden')")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint("visibility", type_="check")
        batch_op.drop_index(batch_op.f("ix_users_trade_slug"))
        batch_op.drop_column("language")
        batch_op.drop_column("links")
        batch_op.drop_column("looking_for")
        batch_op.drop_column("offers")
        batch_op.drop_column("wants_suggestions")
        batch_op.drop_column("visibility")
        batch_op.drop_column("trade_slug")
    op.drop_index("ix_encounters_user_id_met_id", table_name="encounters")
    op.drop_table("encounters")
    op.drop_table("trade_pairs")
