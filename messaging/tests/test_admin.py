from django.urls import reverse

from messaging.models import Block, Thread
from messaging.services import block_buyer, post_message
from orders.tests.conftest import assert_admin_pages_render


def test_staff_read_any_thread_with_its_messages(client_for, staff, question, alice, django_assert_max_num_queries):
    for i in range(5):
        post_message(question, alice, f"answer {i}")
    block_buyer(question, alice)
    client = client_for(staff)
    assert_admin_pages_render(client, Thread, 10, 14, django_assert_max_num_queries)
    assert_admin_pages_render(client, Block, 10, 10, django_assert_max_num_queries)
    page = client.get(reverse("admin:messaging_thread_change", args=[question.pk])).content.decode()
    assert "Is the spine cracked?" in page and "answer 4" in page


def test_threads_are_read_only_in_the_admin(client_for, staff, question):
    client = client_for(staff)
    assert client.get(reverse("admin:messaging_thread_add")).status_code == 403
    response = client.post(reverse("admin:messaging_thread_delete", args=[question.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Thread.objects.filter(pk=question.pk).exists()


def test_non_staff_cannot_open_the_admin(client_for, charlie, question):
    response = client_for(charlie).get(reverse("admin:messaging_thread_change", args=[question.pk]))
    assert response.status_code == 302
