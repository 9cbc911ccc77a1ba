"""The app starts on each backend and guards its pages."""


def test_login_page_renders_in_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page


def test_pages_need_login(client):
    response = client.get("/contests")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
