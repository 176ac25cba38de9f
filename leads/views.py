from django.shortcuts import render


def lead_list(request):
    return render(request, "leads/lead_list.html")
