"""The comparison key and the facts: what wire-desk edits leave alone and what they must not hide."""
from pipelines.text.dedup_key import analyze, comparison_key, strip_wire_marks


def test_datelines_and_agency_credits_are_not_part_of_the_key():
    plain = comparison_key("The dollar slid against the euro on Thursday.")
    assert comparison_key("NEW YORK, Jan 5 (Reuters) - The dollar slid against the euro on Thursday.") == plain
    assert comparison_key("SEOUL (Yonhap) -- The dollar slid against the euro on Thursday.") == plain
    assert comparison_key("The dollar slid against the euro on Thursday. (AFP)") == plain
    assert comparison_key("The dollar slid against the euro on Thursday. - Reuters") == plain


def test_a_parenthesis_that_is_not_an_agency_stays():
    assert strip_wire_marks("Paul Honiss (New Zealand)") == "Paul Honiss (New Zealand)"
    assert comparison_key("Referee: Paul Honiss (New Zealand)") != comparison_key("Referee: Paul Honiss")


def test_entities_quotes_spacing_units_and_spellings_fold_to_one_key():
    original = comparison_key('Sales rose 4.3% to $1.2bn, the firm\'s "favourite" centre said.')
    edited = comparison_key("Sales  rose 4.3 per cent to $1.2 billion,&nbsp;the firm&#8217;s \u201cfavorite\u201d "
                            "center said.")
    assert edited == original


def test_digits_stay_in_the_key():
    assert comparison_key("The blast killed 45 people.") != comparison_key("The blast killed 61 people.")


def test_facts_are_numbers_and_names_not_sentence_openers():
    facts = analyze("Five people died. Officials in Lagos said Mr Adeyemi would visit the UK on 12 May.").facts
    assert facts.numbers == ("12", "5")
    assert set(facts.names) == {"lagos", "mr", "adeyemi", "uk", "may"}
    assert "officials" not in facts.names


def test_digits_survive_a_typo_inside_a_figure():
    assert analyze("a $4b0n deal").facts.digits == analyze("a $40bn deal").facts.digits == "40"
