from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Calls and letters"

    def ready(self):
        from congress.turnover import register_turnover_handler
        from contacts.services import register_personal_data
        from outreach import personal_data
        from outreach.services.turnover import outreach_on_turnover

        register_personal_data(name="outreach", export=personal_data.export, erase=personal_data.erase)
        # A roster load re-targets or holds queued letters and calls meant for members who left office.
        register_turnover_handler(name="outreach", handler=outreach_on_turnover)
        # A signer's thank-you page offers the campaign's call and letter pages.
        from outreach.views.petition_steps import petition_next_steps
        from petitions.views import register_next_steps

        register_next_steps(name="outreach", provider=petition_next_steps)
