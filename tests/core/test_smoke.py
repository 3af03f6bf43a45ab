async def test_stranger_gets_bilingual_refusal(chat):
    events = await chat.say("stranger", "bonjour")
    assert len(events) == 1
    print(events[0].text)
    assert "invitation" in events[0].text


async def test_help(chat):
    await chat.register("alice", role="coordinator")
    events = await chat.say("alice", "/help")
    print(events[0].text)
    assert "/invite" in events[0].text
