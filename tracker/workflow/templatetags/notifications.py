from django import template
from django.db import connections

from tracker.workflow.models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications the user has not read: one indexed count, on every signed-in page.

    Written as the statement itself (benchmark.py, SPEED A), as Catalogue.active's stamp is.
    """
    if not user.is_authenticated:
        return 0
    connection = connections[Notification.objects.db]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM {table} WHERE {user} = %s AND NOT {read}".format(  # noqa: S608 - names from the model
                table=quote(Notification._meta.db_table),
                user=quote(Notification._meta.get_field("user").column),
                read=quote(Notification._meta.get_field("read").column),
            ),
            [user.pk],
        )
        return cursor.fetchone()[0]
