use super::*;

#[test]
fn percentiles_are_nearest_rank() {
    let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    assert_eq!(percentile(&v, 50), Some(50));
    assert_eq!(percentile(&v, 90), Some(90));
    assert_eq!(percentile(&[7], 90), Some(7));
    assert_eq!(percentile(&[1, 2, 3], 50), Some(2));
    assert_eq!(percentile(&[1, 2, 3, 4], 50), Some(2));
    assert_eq!(percentile(&[], 50), None);
}

#[test]
fn periods_compare_with_the_one_before() {
    let p = Period::new(
        "2026-12-01T00:00:00Z".parse().unwrap(),
        "2026-12-08T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let prev = p.previous();
    assert_eq!(prev.since.to_string(), "2026-11-24T00:00:00Z");
    assert_eq!(prev.until, p.since);
    let err = Period::new(p.until, p.since).unwrap_err();
    assert!(err.to_string().contains("ends before it starts"), "{err}");
}

#[test]
fn ages_fall_into_buckets() {
    let day = 86_400;
    let b = age_buckets(&[0, day - 1, day, 3 * day, 10 * day, 400 * day]);
    let counts: Vec<u64> = b.iter().map(|b| b.tickets).collect();
    assert_eq!(counts, [2, 1, 1, 1, 1]);
}
