from django.core.management.base import BaseCommand

from consultations import demo as consultations_demo
from documents import demo as documents_demo
from networks import demo as networks_demo


class Command(BaseCommand):
    help = "Load the Örebro demo data (idempotent: a second run changes nothing)."

    def handle(self, *args, **options):
        created = networks_demo.seed_demo()
        created.update(documents_demo.seed_demo())
        created.update(consultations_demo.seed_demo())
        if any(created.values()):
            self.stdout.write(
                "Demo data: "
                + ", ".join(f"{count} {kind}" for kind, count in created.items())
                + " created."
            )
        else:
            self.stdout.write("Demo data already loaded: nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {networks_demo.DEMO_PASSWORD!r}):")
        for email, name, roles in networks_demo.DEMO_LOGINS:
            where = "; ".join(f"{str(role.label).lower()} – {network}" for network, role in roles)
            self.stdout.write(f"  {email:<26} {name:<22} {where}")
        self.stdout.write(
            f"  {'kerstin.socialchef@example.org':<26} {'Kerstin Socialchef':<22} "
            "approves the formal responses of Kumla kommun"
        )
