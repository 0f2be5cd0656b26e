"""Break glass: appoint one of the three administrators (三权分立) from the server's shell.

In production a superuser holds no duty (wudu/duties.py), so the first security administrator — who then grants
every other role — is appointed here, by whoever holds the server. The grant is recorded as a role change like
any other (with no acting user). The same rules hold: one duty per person.

    manage.py appoint_administrator <username> security [--district 411002]
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from grids import services
from grids.models import Level, Place, User
from wudu.duties import Duty, role_of


class Command(BaseCommand):
    help = "Appoint a system, security or audit administrator at a district (break-glass, from the shell)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("duty", choices=[str(duty) for duty in Duty])
        parser.add_argument("--district", default="", help="the district's unified code (default: the only one)")

    def handle(self, *args, username, duty, district, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active account {username!r}: create it first (the admin, or createsuperuser)")
        districts = Place.objects.filter(level=Level.DISTRICT)
        if district:
            districts = districts.filter(code=district)
        if districts.count() != 1:
            raise CommandError("name the district with --district <unified code>")
        try:
            membership = services.membership_create(actor=None, user=user, role=role_of(duty), place=districts.get(),
                                                    break_glass=True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"{username}: {membership.get_role_display()} @ {membership.place.code}")
