"""Validation rules, kept by administrators as data."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tracker.checks.expressions import ExpressionError, codes, parse


class Operator(models.TextChoices):
    EQ = "==", "=="
    NE = "!=", "!="
    LT = "<", "<"
    LE = "<=", "<="
    GT = ">", ">"
    GE = ">=", ">="
    # About equal: both sides should agree, but may not (figures in different measure words, as an
    # `approx` breakdown's); whether it is an error or a warning is the rule's severity.
    ABOUT = "~=", "≈"


COMPARE = {
    Operator.EQ: lambda a, b: a == b,
    Operator.NE: lambda a, b: a != b,
    Operator.LT: lambda a, b: a < b,
    Operator.LE: lambda a, b: a <= b,
    Operator.GT: lambda a, b: a > b,
    Operator.GE: lambda a, b: a >= b,
    # "About" has no tolerance: any difference is shown, and the person who knows why explains it.
    Operator.ABOUT: lambda a, b: a == b,
}


class Severity(models.TextChoices):
    ERROR = "error", _("Error (blocks submission)")
    WARNING = "warning", _("Warning (needs a note)")


class RuleQuerySet(models.QuerySet):
    def active(self) -> RuleQuerySet:
        return self.filter(active=True)


class Rule(models.Model):
    # Stable name for seeded rules, so re-seeding updates rather than duplicates them.
    key = models.SlugField(_("key"), max_length=150, unique=True)
    left = models.CharField(_("left expression"), max_length=500)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("right expression"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message = models.CharField(_("message"), max_length=300)
    active = models.BooleanField(_("active"), default=True)
    # What the seed (the catalogue's breakdowns or seeds/rules.csv) last said; None for a rule an
    # administrator added. A rule whose fields differ from its seed was edited and is kept.
    seed = models.JSONField(null=True, blank=True, editable=False)

    objects = RuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    def clean(self) -> None:
        from tracker.catalogue.models import Indicator

        errors = {}
        named: set[str] = set()
        for side in ("left", "right"):
            try:
                named |= codes(parse(getattr(self, side)))
            except ExpressionError as exc:
                errors[side] = str(exc)
        unknown = named - set(Indicator.objects.filter(code__in=named).values_list("code", flat=True))
        if unknown:
            errors.setdefault(
                "left", _("Unknown indicator code(s): %(codes)s.") % {"codes": ", ".join(sorted(unknown))}
            )
        if errors:
            raise ValidationError(errors)

    @property
    def codes(self) -> set[str]:
        return codes(parse(self.left)) | codes(parse(self.right))
