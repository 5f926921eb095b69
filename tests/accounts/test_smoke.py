def test_home_renders_in_kyrgyz(client, db):
    response = client.get("/ky/")
    assert response.status_code == 200
    assert '<html lang="ky">' in response.content.decode()
