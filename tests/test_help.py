"""使用说明: a guide per role, reachable from every page, and the 口径 of every indicator, searchable."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from tracker.catalogue.models import Indicator
from tracker.orgs.models import Role

from .conftest import make_user

GUIDES = [Role.CLERK, Role.REVIEWER, Role.LEADER, Role.ADMIN]


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return lxml.html.fromstring(response.content.decode())


@pytest.fixture
def people(world):
    users = {role: make_user(f"help-{role}", world["forestry"], role) for role in GUIDES}
    users[Role.ADMIN].is_staff = True
    users[Role.ADMIN].save()
    return users


def test_every_page_offers_the_help(client, alice):
    client.force_login(alice)
    for url in (reverse("home"), reverse("entry:choose"), reverse("reports:index") + "?org=forestry"):
        tree = lxml.html.fromstring(client.get(url, follow=True).content.decode())
        assert tree.xpath('//header[contains(@class, "topbar")]//a[@href="/help/"]/text()') == ["使用说明"]


def test_a_person_opens_on_the_guide_of_their_own_role(client, people):
    expected = {
        Role.CLERK: "录入员：每月（每季度）的工作",
        Role.REVIEWER: "审核人：每期的工作",
        Role.LEADER: "领导：阅读数字和发布文件",
        Role.ADMIN: "管理员：维护目录、单位和用户",
    }
    for role, user in people.items():
        client.force_login(user)
        tree = page(client, reverse("help:guide"))
        assert tree.xpath('//article[@class="guide"]/h2/text()') == [expected[role]]
        current = tree.xpath('//nav[contains(@class, "tabs")]/a[@aria-current="page"]')[0]
        assert current.get("href") == reverse("help:role", args=[role])
        assert current.text_content().endswith("★")


def test_every_link_of_every_guide_opens_for_the_person_reading_it(client, people):
    """A guide links only to pages its reader may open: a leader reading the clerk's guide gets the
    import named, not linked (the import answers 403 to a leader)."""
    for user in people.values():
        client.force_login(user)
        for role in GUIDES:
            tree = page(client, reverse("help:role", args=[role]))
            links = tree.xpath('//article[@class="guide"]//a/@href')
            assert links, role
            for href in links:
                assert client.get(href).status_code in (200, 302), (user.username, role, href)
    client.force_login(people[Role.LEADER])
    tree = page(client, reverse("help:role", args=[Role.CLERK]))
    assert reverse("entry:import") not in tree.xpath('//article[@class="guide"]//a/@href')
    assert "导入" in tree.xpath('string(//article[@class="guide"])')
    client.force_login(people[Role.CLERK])
    tree = page(client, reverse("help:role", args=[Role.CLERK]))
    assert reverse("entry:import") in tree.xpath('//article[@class="guide"]//a/@href')


def test_the_guides_are_in_english_for_english_readers(client, people):
    client.force_login(people[Role.REVIEWER])
    client.cookies["django_language"] = "en"
    tree = page(client, reverse("help:guide"))
    assert tree.xpath('//article[@class="guide"]/h2/text()') == ["Reviewer: the work of each period"]
    assert "Guide for the Clerk" in tree.xpath('string(//nav[contains(@class, "tabs")])')


def test_an_unknown_guide_is_not_found_and_the_help_needs_a_login(client, alice):
    assert client.get("/help/").status_code == 302
    client.force_login(alice)
    assert client.get("/help/chief/").status_code == 404


class TestDefinitions:
    url = reverse("help:indicators")

    def test_it_lists_every_indicator_by_name_without_codes(self, client, alice):
        client.force_login(alice)
        html = client.get(self.url).content.decode()
        tree = lxml.html.fromstring(html)
        active = list(Indicator.objects.active())
        assert len(tree.xpath('//article[@class="definition"]')) == len(active)
        assert f"指标目录共有指标{len(active)}个。" in html
        for indicator in active:
            assert f'id="indicator-{indicator.pk}"' in html
            assert indicator.code not in html

    def test_it_finds_by_name_and_by_a_word_of_the_definition(self, client, alice):
        client.force_login(alice)
        talks = Indicator.objects.filter(name_zh__contains="谈话函询").first()
        assert talks is not None
        tree = page(client, self.url, q="谈话函询")
        names = tree.xpath('//article[@class="definition"]/h3/text()')
        assert talks.name_zh in [name.strip() for name in names]
        assert all("谈话函询" in article.text_content() for article in tree.xpath('//article[@class="definition"]'))

        other = Indicator.objects.active().exclude(pk=talks.pk).first()
        Indicator.objects.filter(pk=other.pk).update(definition="含跨年度移送的甲乙丙线索。")
        tree = page(client, self.url, q="甲乙丙")
        assert [a.get("id") for a in tree.xpath('//article[@class="definition"]')] == [f"indicator-{other.pk}"]
        assert "含跨年度移送的甲乙丙线索。" in tree.xpath('string(//p[@class="koujing"])')

    def test_a_search_that_finds_nothing_says_so(self, client, alice):
        client.force_login(alice)
        tree = page(client, self.url, q="x" * 500)
        assert not tree.xpath('//article[@class="definition"]')
        assert "没有找到相符的指标" in tree.text_content()

    def test_a_sum_names_its_parts_and_a_share_its_whole(self, client, alice):
        client.force_login(alice)
        tree = page(client, self.url)
        summed = next(ind for ind in Indicator.objects.active() if ind.sum_parts and not ind.may_be_entered)
        names = {ind.code: ind.name_zh for ind in Indicator.objects.all()}
        article = tree.xpath(f'//article[@id="indicator-{summed.pk}"]')[0]
        assert article.xpath("string(.//dt[.='计算方法']/following-sibling::dd[1])") == (
            " + ".join(names[code] for code in summed.sum_parts) + "之和"
        )
        assert article.xpath("string(.//dt[.='填报单位']/following-sibling::dd[1])") == "无需填报：由其他数字计算得出"
        share = next(ind for ind in Indicator.objects.active() if ind.is_share)
        article = tree.xpath(f'//article[@id="indicator-{share.pk}"]')[0]
        assert "按最大余额法修约" in article.text_content()
        assert names[share.share_of] in article.text_content()
