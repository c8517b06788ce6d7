from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Calls and letters"

    def ready(self):
        from contacts.services import register_personal_data
        from outreach import personal_data

        register_personal_data(name="outreach", export=personal_data.export, erase=personal_data.erase)
