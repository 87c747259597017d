from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    # Erasure: a person erases their own data (a staff account asks instead).
    path("account/data/erase/", views.erase, name="erase"),
    path("account/data/erased/", views.erased, name="erased"),
]
