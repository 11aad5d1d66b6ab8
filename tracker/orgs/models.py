"""The organisation tree and who belongs where.

The tree is shallow and fixed in shape: the city commission at the root, stationed
groups under it, supervised units under a group. Each organisation stores its
materialised path of codes ("city/forestry/forestry-organ/") so that "this
organisation and everything below it" is one indexed prefix query.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models, transaction
from django.utils.translation import gettext_lazy as _

code_validator = RegexValidator(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    _("Use lower-case letters, digits and single dashes, e.g. forestry-organ."),
)


class OrgKind(models.TextChoices):
    COMMISSION = "commission", _("City commission")
    GROUP = "group", _("Stationed group")
    UNIT = "unit", _("Supervised unit")


# Which kinds of parent each kind of organisation may have. A commission may sit under another
# (a province's commission above its cities', a city's above its counties'): the tree has any depth.
PARENT_KIND = {
    OrgKind.COMMISSION: (None, OrgKind.COMMISSION),
    OrgKind.GROUP: (OrgKind.COMMISSION,),
    OrgKind.UNIT: (OrgKind.GROUP,),
}


class OrganisationQuerySet(models.QuerySet):
    def subtree_of(self, orgs) -> OrganisationQuerySet:
        """The given organisations and all their descendants."""
        query = models.Q(pk__in=[])
        for org in orgs:
            query |= models.Q(path__startswith=org.path)
        return self.filter(query)

    def for_user(self, user) -> OrganisationQuerySet:
        """Every organisation the user may see: the subtrees of their memberships."""
        if not user.is_authenticated:
            return self.none()
        return self.subtree_of([m.organisation for m in memberships_of(user)])


def memberships_of(user) -> list[Membership]:
    """The user's memberships with their organisations, read once per user object.

    A request's user object lives for that request: the scope, the switcher and the role checks
    of one page share one query instead of running it each.

    A superuser is, besides, an administrator of every tree: an unsaved membership as Role.ADMIN
    at each root that they have no membership of (tracker.orgs.access explains what that allows).
    """
    cached = getattr(user, "_tracker_memberships", None)
    if cached is None:
        # With each organisation's parent: get_org_for_user answers a page of the user's own
        # organisation from here, as it reads any other with its parent.
        cached = []
        for (membership_id, role), organisation in organisations_with_parents(
            "JOIN {memberships} m ON m.organisation_id = o.id WHERE m.user_id = %s ORDER BY m.id",
            [user.pk],
            extra=("m.id", "m.role"),
            memberships=Membership._meta.db_table,
        ):
            membership = Membership.from_db(
                organisation._state.db,
                ["id", "user_id", "organisation_id", "role"],
                [membership_id, user.pk, organisation.pk, role],
            )
            membership.user, membership.organisation = user, organisation
            cached.append(membership)
        if user.is_superuser:
            own = {m.organisation_id for m in cached}
            roots = Organisation.objects.filter(parent__isnull=True).exclude(pk__in=own)
            cached += [Membership(user=user, organisation=root, role=Role.ADMIN) for root in roots]
        user._tracker_memberships = cached
    return cached


def organisations_with_parents(where: str, params: list, *, extra: tuple[str, ...] = (), **tables: str) -> list:
    """Organisations (`o`) with their parents read in the same statement, as select_related("parent")
    reads them, for the look-ups every signed-in page makes (the memberships, the page's organisation).

    A plain statement (benchmark.py, SPEED A).
    `where` follows the FROM clause (joins, WHERE, ORDER BY), with `{name}` for the `tables` given;
    `extra` are more columns, returned before each organisation: [(extra values, organisation)].
    """
    db = Organisation.objects.db
    connection = connections[db]
    quote = connection.ops.quote_name
    fields = Organisation._meta.concrete_fields
    names = [field.attname for field in fields]
    columns = [quote(field.column) for field in fields]
    select = [*extra, *(f"o.{column}" for column in columns), *(f"p.{column}" for column in columns)]
    orgs = quote(Organisation._meta.db_table)
    joined = f"FROM {orgs} o LEFT JOIN {orgs} p ON p.id = o.parent_id "
    clause = where.format(**{name: quote(table) for name, table in tables.items()})
    sql = f"SELECT {', '.join(select)} {joined}{clause}"  # noqa: S608 - names from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = row[len(extra) :]
        organisation = Organisation.from_db(db, names, values[: len(names)])
        if organisation.parent_id is not None:
            organisation.parent = Organisation.from_db(db, names, values[len(names) :])
        found.append((row[: len(extra)], organisation))
    return found


def tree_neighbours(here: Organisation) -> list[Organisation]:
    """The organisations one step away from `here` in the tree, by path: its ancestors (and itself),
    its siblings and its children (one plain statement: the report pages' switcher reads these)."""
    prefixes = path_prefixes(here.path)
    where = "WHERE o.path IN ({}) OR o.parent_id = %s".format(", ".join(["%s"] * len(prefixes)))
    params = [*prefixes, here.pk]
    if here.parent_id:
        where += " OR o.parent_id = %s"
        params.append(here.parent_id)
    return [org for _extra, org in organisations_with_parents(where + " ORDER BY o.path", params)]


class Organisation(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    # Maintained by save(); never edited by hand.
    path = models.CharField(max_length=255, editable=False, db_index=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = (self.parent.path if self.parent_id else "") + self.code + "/"
        with transaction.atomic():
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                # A code changed: rewrite the paths below it (a handful of rows).
                for child in Organisation.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    child.path = self.path + child.path[len(old_path) :]
                    Organisation.objects.filter(pk=child.pk).update(path=child.path)
            if old_path != self.path:
                TreeLink.rebuild(Organisation.objects.filter(path__startswith=self.path))

    def clean(self) -> None:
        if self.pk and self.parent_id and self.path and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": _("An organisation cannot sit under itself or below itself.")})
        allowed = PARENT_KIND.get(self.kind, ())
        actual = self.parent.kind if self.parent_id else None
        if actual not in allowed:
            expected = next(kind for kind in allowed if kind is not None)
            raise ValidationError(
                {
                    "parent": _("A %(kind)s must sit under a %(parent)s.")
                    % {"kind": self.get_kind_display(), "parent": OrgKind(expected).label}
                }
            )

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def is_within(self, other: Organisation) -> bool:
        return self.path.startswith(other.path)

    def ancestors(self) -> list[Organisation]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class TreeLink(models.Model):
    """One row per organisation and each of its ancestors, itself included (a closure table).

    The aggregation joins reports to the organisations they count for by equality on this
    table (`descendant` → every `ancestor`), which stays fast at any depth, where a path prefix
    comparison per pair would not. Kept by Organisation.save; never edited by hand.
    """

    ancestor = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    descendant = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tree_links")
    # 0 for the organisation itself, 1 for its parent, …
    distance = models.PositiveSmallIntegerField()
    # The ancestor's depth in the whole tree (1 for a root): "each organisation's ancestor at
    # depth d" is one indexed equality, for the pages that show every organisation of a level.
    ancestor_depth = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["descendant", "ancestor"], name="treelink_unique_pair")]
        indexes = [
            models.Index(fields=["ancestor", "descendant"], name="treelink_ancestor"),
            models.Index(fields=["descendant", "ancestor_depth"], name="treelink_descendant_depth"),
        ]

    def __str__(self) -> str:
        return f"{self.descendant_id} ⊂ {self.ancestor_id} ({self.distance})"

    @classmethod
    def rebuild(cls, organisations) -> None:
        """Rewrite the links of `organisations` (a moved or new subtree) from their paths."""
        organisations = list(organisations)
        if not organisations:
            return
        cls.objects.filter(descendant__in=organisations).delete()
        prefixes = {prefix for org in organisations for prefix in path_prefixes(org.path)}
        by_path = dict(Organisation.objects.filter(path__in=prefixes).values_list("path", "pk"))
        cls.objects.bulk_create(
            cls(ancestor_id=by_path[prefix], descendant_id=org.pk, distance=distance, ancestor_depth=depth(prefix))
            for org in organisations
            for distance, prefix in enumerate(reversed(path_prefixes(org.path)))
        )


def depth(path: str) -> int:
    """1 for a root, 2 for its children, …"""
    return path.count("/")


def path_prefixes(path: str) -> list[str]:
    """ "city/forestry/organ/" → ["city/", "city/forestry/", "city/forestry/organ/"]."""
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class Role(models.TextChoices):
    CLERK = "clerk", _("Clerk")
    REVIEWER = "reviewer", _("Reviewer")
    LEADER = "leader", _("Leader")
    ADMIN = "admin", _("Administrator")


class Membership(models.Model):
    """A user's role in an organisation; it covers the organisation's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique_user_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class OrganisationText(models.Model):
    """A named text of an organisation: its full or short name, its bureau's, a brand (清廉**), a unit's.

    Documents bind a place to one (`text:<key>`, tracker.documents) and print the whole text; the
    built-in review template names them `{{ txt_* }}`. An organisation without its own text uses
    its nearest ancestor's.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="texts"
    )
    key = models.CharField(
        _("key"),
        max_length=60,
        validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("A key is lower-case letters, digits and _, e.g. bureau."))],
    )
    text = models.CharField(_("text"), max_length=200)

    class Meta:
        verbose_name = _("name used in documents")
        verbose_name_plural = _("names used in documents")
        ordering = ["organisation__path", "key"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="orgtext_unique_org_key")]

    def __str__(self) -> str:
        return f"{self.key} = {self.text}"


class PasswordChangeRequired(models.Model):
    """An administrator asked this user to choose a new password at their next log-in.

    Read once at log-in (orgs.signals puts it in the session) so that no page asks the database;
    removed when the user changes the password.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
    )
    since = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self) -> str:
        return str(self.user)


def nearest_texts(organisation: Organisation) -> dict[str, str]:
    """The named texts an organisation's documents print: its own, else its nearest ancestor's (one query).

    A plain statement, as every generated document reads these (benchmark.py, SPEED A).
    """
    prefixes = path_prefixes(organisation.path)
    rank = {path: depth for depth, path in enumerate(prefixes)}  # the root first: nearer texts win
    connection = connections[OrganisationText.objects.db]
    quote = connection.ops.quote_name
    sql = (
        "SELECT o.path, t.{key}, t.{text} FROM {texts} t JOIN {orgs} o ON o.id = t.organisation_id "
        "WHERE o.path IN ({paths})"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql.format(
                key=quote("key"),
                text=quote("text"),
                texts=quote(OrganisationText._meta.db_table),
                orgs=quote(Organisation._meta.db_table),
                paths=", ".join(["%s"] * len(prefixes)),
            ),
            prefixes,
        )
        rows = cursor.fetchall()
    return {key: text for _path, key, text in sorted(rows, key=lambda row: rank[row[0]])}
