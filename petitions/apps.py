from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = "Petitions"

    def ready(self):
        from contacts.services import register_personal_data
        from petitions import personal_data

        register_personal_data(name="signatures", export=personal_data.export, erase=personal_data.erase)

        from organizing.services import register_campaign_closer
        from petitions.organizer import petitions_close_for_campaign

        register_campaign_closer(name="petitions", closer=petitions_close_for_campaign)
