//! Topic validation and matching against the examples of MQTT 3.1.1 §4.7.

use iotmqtt_engine::{matches, validate_topic_filter, validate_topic_name, TopicError};

#[test]
fn multi_level_wildcard_examples_4_7_1_2() {
    let f = "sport/tennis/player1/#";
    assert!(matches(f, "sport/tennis/player1"));
    assert!(matches(f, "sport/tennis/player1/ranking"));
    assert!(matches(f, "sport/tennis/player1/score/wimbledon"));
    assert!(!matches(f, "sport/tennis/player2"));
    assert!(matches("sport/#", "sport"));
    assert!(matches("#", "sport/tennis"));
    assert!(validate_topic_filter("#").is_ok());
    assert!(validate_topic_filter("sport/tennis/#").is_ok());
    assert_eq!(
        validate_topic_filter("sport/tennis#"),
        Err(TopicError::MisplacedWildcard)
    );
    assert_eq!(
        validate_topic_filter("sport/tennis/#/ranking"),
        Err(TopicError::MisplacedWildcard)
    );
}

#[test]
fn single_level_wildcard_examples_4_7_1_3() {
    let f = "sport/tennis/+";
    assert!(matches(f, "sport/tennis/player1"));
    assert!(matches(f, "sport/tennis/player2"));
    assert!(!matches(f, "sport/tennis/player1/ranking"));
    assert!(!matches("sport/+", "sport"));
    assert!(matches("sport/+", "sport/"));
    for ok in ["+", "+/tennis/#", "sport/+/player1"] {
        assert!(validate_topic_filter(ok).is_ok(), "{ok}");
    }
    assert_eq!(
        validate_topic_filter("sport+"),
        Err(TopicError::MisplacedWildcard)
    );
    assert!(matches("+/+", "/finance"));
    assert!(matches("/+", "/finance"));
    assert!(!matches("+", "/finance"));
}

#[test]
fn dollar_topics_4_7_2() {
    assert!(!matches("#", "$SYS/monitor/Clients"));
    assert!(!matches("+/monitor/Clients", "$SYS/monitor/Clients"));
    assert!(matches("$SYS/#", "$SYS/monitor/Clients"));
    assert!(matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    assert!(matches("$SYS", "$SYS"));
    // A '$' later in the topic is an ordinary character.
    assert!(matches("+/$x", "a/$x"));
    assert!(matches("a/+", "a/$x"));
}

#[test]
fn topic_semantics_4_7_3() {
    assert!(!matches("ACCOUNTS", "Accounts"));
    assert!(validate_topic_name("Accounts payable").is_ok());
    assert!(!matches("/finance", "finance"));
    assert!(!matches("finance", "/finance"));
    assert!(validate_topic_name("/").is_ok());
    assert!(matches("/", "/"));
    assert!(matches("+/+", "/"));
    // Empty levels are significant.
    assert!(!matches("a/b", "a//b"));
    assert!(matches("a/+/b", "a//b"));
    assert!(!matches("a/b/", "a/b"));
    assert!(matches("a/#", "a/"));
}

#[test]
fn names_reject_wildcards_and_bad_characters() {
    assert_eq!(validate_topic_name(""), Err(TopicError::Empty));
    assert_eq!(validate_topic_filter(""), Err(TopicError::Empty));
    assert_eq!(validate_topic_name("a/+"), Err(TopicError::WildcardInName));
    assert_eq!(validate_topic_name("a/#"), Err(TopicError::WildcardInName));
    assert_eq!(validate_topic_name("a+b"), Err(TopicError::WildcardInName));
    assert_eq!(
        validate_topic_name("a\u{0}b"),
        Err(TopicError::BadCharacter)
    );
    assert_eq!(validate_topic_name("a\tb"), Err(TopicError::BadCharacter));
    assert_eq!(
        validate_topic_name("a\u{7f}"),
        Err(TopicError::BadCharacter)
    );
    assert_eq!(
        validate_topic_name("caf\u{e9}"),
        Err(TopicError::BadCharacter)
    );
    assert_eq!(
        validate_topic_filter("a/\u{1}"),
        Err(TopicError::BadCharacter)
    );
    // No leading '/' requirement (V2.10's rule is dropped), printable ASCII accepted.
    assert!(validate_topic_name("sys/pk/dn/thing/event").is_ok());
    assert!(validate_topic_name(" !\"$%&'()*,-.~").is_ok());
    assert!(validate_topic_filter("a//b/+/#").is_ok());
    assert_eq!(
        validate_topic_filter("a/#/"),
        Err(TopicError::MisplacedWildcard)
    );
    assert_eq!(
        validate_topic_filter("a/++"),
        Err(TopicError::MisplacedWildcard)
    );
    assert_eq!(
        validate_topic_filter("#a"),
        Err(TopicError::MisplacedWildcard)
    );
}

#[test]
fn length_limit_is_128() {
    let ok = "a".repeat(128);
    let long = "a".repeat(129);
    assert!(validate_topic_name(&ok).is_ok());
    assert!(validate_topic_filter(&ok).is_ok());
    assert_eq!(validate_topic_name(&long), Err(TopicError::TooLong));
    assert_eq!(validate_topic_filter(&long), Err(TopicError::TooLong));
}

#[test]
fn exact_and_mixed_matches() {
    assert!(matches("/sys/pk/dn/get", "/sys/pk/dn/get"));
    assert!(!matches("/sys/pk/dn/get", "/sys/pk/dn/ge"));
    assert!(!matches("/sys/pk/dn/ge", "/sys/pk/dn/get"));
    assert!(matches("/sys/+/+/#", "/sys/pk/dn/thing/service/x"));
    assert!(!matches("/sys/+/+/#", "/sys/pk"));
    assert!(matches("/sys/+/+/#", "/sys/pk/dn"));
    assert!(!matches("a", "a/b"));
    assert!(!matches("a/b", "a"));
}
