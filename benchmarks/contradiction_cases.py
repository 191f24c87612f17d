"""Pairs of passages for `benchmarks/contradictions.py`, written by hand.

Each case is (kind, first, second). `disagree` pairs state one fact differently in their own words;
`agree` pairs state the same fact in different words; `different` pairs state different facts that
happen to carry different numbers. Only `disagree` pairs should be flagged.
"""

from __future__ import annotations

CASES: list[tuple[str, str, str]] = [
    # Disagreements, each side in its own wording.
    (
        "disagree",
        "The Great Fire of Kelmar destroyed the old town in 1666.",
        "In 1667 a terrible blaze swept through Kelmar and reduced its old quarter to ashes.",
    ),
    (
        "disagree",
        "The Vellmar Bridge collapsed into the river Oss in 1894.",
        "The span at Vellmar gave way and fell into the Oss in the spring of 1897.",
    ),
    (
        "disagree",
        "Construction of the Ardent Lighthouse was completed in 1821.",
        "Builders finished the Ardent Lighthouse in 1826 after years of delays.",
    ),
    (
        "disagree",
        "The siege of Harlow lasted 53 days.",
        "Harlow held out against the besiegers for 41 days before it surrendered.",
    ),
    ("disagree", "About 4,000 people died in the Morrow flood.", "The Morrow flood claimed roughly 9,500 lives."),
    ("disagree", "Queen Isolde was crowned at Tarsk in 1203.", "Isolde's coronation took place at Tarsk in 1210."),
    (
        "disagree",
        "The Kessler comet was first observed in 1758.",
        "Astronomers spotted the Kessler comet for the first time in 1761.",
    ),
    (
        "disagree",
        "The treaty of Brenn was signed by 12 states.",
        "Only 9 states put their signatures to the treaty of Brenn.",
    ),
    ("disagree", "The Ostrava canal is 42 kilometres long.", "The Ostrava canal stretches for some 67 kilometres."),
    (
        "disagree",
        "The Pellham mine employed 800 miners at its peak.",
        "At its height the Pellham mine gave work to 1,300 miners.",
    ),
    ("disagree", "The Corran Abbey fire broke out in 1540.", "Flames consumed Corran Abbey in 1545."),
    (
        "disagree",
        "Doctor Lanne discovered the Vessa bacterium in 1882.",
        "The Vessa bacterium was first identified by Lanne in 1885.",
    ),
    (
        "disagree",
        "The Tamsin expedition reached the summit of Mount Orel.",
        "The Tamsin expedition never reached the summit of Mount Orel.",
    ),
    # Agreements, each side in its own wording.
    (
        "agree",
        "The Great Fire of Kelmar destroyed the old town in 1666.",
        "In 1666 a terrible blaze swept through Kelmar and reduced its old quarter to ashes.",
    ),
    (
        "agree",
        "The Vellmar Bridge collapsed into the river Oss in 1894.",
        "In 1894 the span at Vellmar gave way and fell into the Oss.",
    ),
    ("agree", "The siege of Harlow lasted 53 days.", "Harlow held out against the besiegers for fifty-three days."),
    ("agree", "About 4,000 people died in the Morrow flood.", "The Morrow flood claimed roughly four thousand lives."),
    (
        "agree",
        "Queen Isolde was crowned at Tarsk in 1203.",
        "Isolde's coronation took place in Tarsk in the year 1203.",
    ),
    ("agree", "Half of the village of Dunmere was lost to the sea.", "The sea swallowed 50% of Dunmere."),
    ("agree", "The Ostrava canal is 42 kilometres long.", "The Ostrava canal stretches for about 42 km."),
    (
        "agree",
        "The Pellham mine employed 800 miners at its peak.",
        "At its height the Pellham mine gave work to eight hundred miners.",
    ),
    (
        "agree",
        "The Kessler comet was first observed in 1758.",
        "Astronomers first spotted the Kessler comet in the 1750s.",
    ),
    (
        "agree",
        "Doctor Lanne discovered the Vessa bacterium in 1882.",
        "The Vessa bacterium was first identified by Lanne in 1882, in his laboratory at Orm.",
    ),
    (
        "agree",
        "The treaty of Brenn was signed by 12 states.",
        "Twelve states put their signatures to the treaty of Brenn.",
    ),
    # Different facts with different numbers.
    (
        "different",
        "The Great Fire of Kelmar destroyed the old town in 1666.",
        "Kelmar was granted its town charter in 1204.",
    ),
    (
        "different",
        "The Vellmar Bridge collapsed into the river Oss in 1894.",
        "A new steel bridge at Vellmar was opened in 1902.",
    ),
    ("different", "The siege of Harlow lasted 53 days.", "Harlow had a population of 6,000 at the time of the siege."),
    ("different", "The first Ardent Lighthouse was lit in 1821.", "The second Ardent Lighthouse was lit in 1904."),
    ("different", "The population of Tarsk was 12,000 in 1800.", "The population of Tarsk was 31,000 in 1900."),
    ("different", "The Morrow flood of 1702 drowned about 4,000 people.", "A smaller flood struck Morrow in 1736."),
    ("different", "Queen Isolde was crowned at Tarsk in 1203.", "King Aldric was crowned at Tarsk in 1188."),
    ("different", "The Ostrava canal is 42 kilometres long.", "The Ostrava canal has 17 locks."),
    ("different", "The Pellham mine employed 800 miners at its peak.", "The Pellham mine closed in 1961."),
    ("different", "Doctor Lanne discovered the Vessa bacterium in 1882.", "Doctor Lanne was born in Orm in 1841."),
    ("different", "The Corran Abbey fire broke out in 1540.", "Corran Abbey was founded in 1120 by Benedictine monks."),
]

# Written after the rules were settled and not used to tune them.
HOLDOUT_CASES: list[tuple[str, str, str]] = [
    ("disagree", "The Merrow viaduct opened to trains in 1872.", "Trains first crossed the Merrow viaduct in 1875."),
    (
        "disagree",
        "Saint Aubin's cathedral took 84 years to build.",
        "Work on Saint Aubin's cathedral went on for 120 years.",
    ),
    ("disagree", "The Lindqvist expedition lost 11 men in the ice.", "Of the Lindqvist party, 19 men died on the ice."),
    (
        "disagree",
        "Composer Ada Renn wrote the Tidewater Symphony in 1931.",
        "Renn's Tidewater Symphony dates from 1936.",
    ),
    (
        "disagree",
        "The Okawa dam holds 2.4 billion cubic metres of water.",
        "Behind the Okawa dam lie some 3.1 billion cubic metres of water.",
    ),
    ("disagree", "Fort Hallam fell to the besiegers in 1644.", "The garrison of Fort Hallam surrendered in 1646."),
    ("disagree", "The Brisk typhoon killed about 600 people in Luzon.", "In Luzon the Brisk typhoon left 1,400 dead."),
    (
        "disagree",
        "The Vantor library was founded by Elias Vantor.",
        "The Vantor library was not founded by Elias Vantor.",
    ),
    (
        "agree",
        "The Merrow viaduct opened to trains in 1872.",
        "In 1872 the first trains ran across the Merrow viaduct.",
    ),
    (
        "agree",
        "Saint Aubin's cathedral took 84 years to build.",
        "Building Saint Aubin's cathedral took eighty-four years.",
    ),
    (
        "agree",
        "The Lindqvist expedition lost 11 men in the ice.",
        "Eleven members of the Lindqvist party died on the ice.",
    ),
    (
        "agree",
        "Composer Ada Renn wrote the Tidewater Symphony in 1931.",
        "Ada Renn completed her Tidewater Symphony in the early 1930s.",
    ),
    (
        "agree",
        "The Brisk typhoon killed about 600 people in Luzon.",
        "Roughly six hundred people died in Luzon when the Brisk typhoon struck.",
    ),
    ("agree", "Fort Hallam fell to the besiegers in 1644.", "In 1644, after a long siege, Fort Hallam was taken."),
    ("different", "The Merrow viaduct opened to trains in 1872.", "The Merrow viaduct was repainted in 1990."),
    (
        "different",
        "Saint Aubin's cathedral took 84 years to build.",
        "Saint Aubin's cathedral has a spire 96 metres tall.",
    ),
    ("different", "Composer Ada Renn wrote the Tidewater Symphony in 1931.", "Ada Renn wrote her first opera in 1924."),
    ("different", "Fort Hallam fell to the besiegers in 1644.", "Fort Castor fell to the besiegers in 1651."),
    (
        "different",
        "The Brisk typhoon killed about 600 people in Luzon.",
        "The Brisk typhoon destroyed 9,000 homes in Samar.",
    ),
    (
        "different",
        "The Okawa dam holds 2.4 billion cubic metres of water.",
        "The Okawa dam was completed in 1968 after nine years of work.",
    ),
]
