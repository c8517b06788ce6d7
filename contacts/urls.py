from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("unsubscribe/<str:token>/", csrf_exempt(views.unsubscribe), name="unsubscribe"),
]
