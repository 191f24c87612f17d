"""Sentences for `benchmarks/attribution.py`, written by hand against the default corpus.

Each case is (article title, kind, sentence). The sentence cites that article's summary.
`faithful` sentences are paraphrases a capable writer would produce: reordered, with synonyms,
merged clauses, fractions for percentages. Every other kind is a subtly wrong sentence:

- number: a wrong number, date or ordinal;
- person: a wrong person;
- place: a wrong place, country or nationality;
- swap: an attribute moved between two facts of the same source;
- negation: a reversal through a negating word or an antonym;
- recombination: two true statements of the source joined into a false one;
- cause: a cause the source does not give;
- overgeneralisation: a wider scope than the source's ("the world" for "Europe").
"""

from __future__ import annotations

WRONG_KINDS = ("number", "person", "place", "swap", "negation", "recombination", "cause", "overgeneralisation")

CASES: list[tuple[str, str, str]] = [
    # Marie Curie
    (
        "Marie Curie",
        "faithful",
        "Curie was a physicist and chemist of Polish birth who later became a naturalised French citizen.",
    ),
    ("Marie Curie", "faithful", "In 1903 Marie Curie and her husband Pierre shared the Nobel Prize in Physics."),
    (
        "Marie Curie",
        "faithful",
        "She received the 1911 Nobel Prize in Chemistry for discovering the elements radium and polonium.",
    ),
    ("Marie Curie", "number", "Marie Curie won the Nobel Prize in Chemistry in 1913."),
    ("Marie Curie", "swap", "Curie's 1903 Nobel Prize was awarded in chemistry."),
    ("Marie Curie", "person", "Curie shared the 1903 Nobel Prize in Physics with Albert Einstein."),
    ("Marie Curie", "negation", "Marie Curie never won the Nobel Prize in Chemistry."),
    # Alexander Fleming
    (
        "Alexander Fleming",
        "faithful",
        "Fleming, a Scottish microbiologist and physician, shared the 1945 Nobel Prize in Physiology or Medicine with Howard Florey and Ernst Chain.",
    ),
    (
        "Alexander Fleming",
        "faithful",
        "In 1928 Fleming discovered the substance later named benzylpenicillin, which came from the mould Penicillium rubens.",
    ),
    (
        "Alexander Fleming",
        "faithful",
        "His discovery has been called the single greatest victory ever achieved over disease.",
    ),
    ("Alexander Fleming", "number", "Fleming made his discovery of benzylpenicillin in 1938."),
    ("Alexander Fleming", "place", "Sir Alexander Fleming was an Irish physician and microbiologist."),
    ("Alexander Fleming", "person", "Fleming shared the 1945 Nobel Prize with Louis Pasteur and Ernst Chain."),
    ("Alexander Fleming", "overgeneralisation", "Fleming's discovery ended every infectious disease in the world."),
    # Spanish flu
    (
        "Spanish flu",
        "faithful",
        "The Spanish flu was an exceptionally deadly worldwide influenza pandemic that lasted from 1918 to 1920.",
    ),
    ("Spanish flu", "faithful", "An H1N1 subtype of the influenza A virus caused the pandemic."),
    (
        "Spanish flu",
        "faithful",
        "Within two years roughly 500 million people, close to a third of the global population, had been infected.",
    ),
    ("Spanish flu", "number", "About 5 million people had been infected by the Spanish flu within two years."),
    ("Spanish flu", "place", "The earliest probable cases of the Spanish flu were documented in March 1918 in Spain."),
    ("Spanish flu", "swap", "The earliest probable cases were documented in France in March 1918."),
    ("Spanish flu", "cause", "The Spanish flu was so deadly because its first cases appeared in Kansas."),
    ("Spanish flu", "negation", "The pandemic was not caused by an influenza A virus."),
    # Eiffel Tower
    ("Eiffel Tower", "faithful", "The Eiffel Tower, a lattice tower in Paris, stands on the Champ de Mars."),
    ("Eiffel Tower", "faithful", "Gustave Eiffel's company designed the tower and built it between 1887 and 1889."),
    ("Eiffel Tower", "faithful", "The tower takes its name from the engineer Gustave Eiffel."),
    ("Eiffel Tower", "number", "The Eiffel Tower was built from 1887 to 1899."),
    ("Eiffel Tower", "place", "The Eiffel Tower is a lattice tower on the Champ de Mars in Lyon."),
    ("Eiffel Tower", "person", "The tower was named after the architect Charles Garnier."),
    ("Eiffel Tower", "recombination", "Gustave Eiffel's company designed and built the Champ de Mars."),
    # Mount Everest
    ("Mount Everest", "faithful", "Mount Everest is the Earth's highest mountain above sea level."),
    (
        "Mount Everest",
        "faithful",
        "A joint survey by Chinese and Nepalese authorities in 2020 measured its height as 8,848.86 m.",
    ),
    (
        "Mount Everest",
        "faithful",
        "Everest lies in the Mahalangur Himal sub-range of the Himalayas, and its summit marks part of the China–Nepal border.",
    ),
    ("Mount Everest", "number", "Its height was measured in 2020 as 8,611 m."),
    ("Mount Everest", "negation", "Mount Everest is the lowest mountain on Earth above sea level."),
    ("Mount Everest", "place", "Mount Everest marks part of the India–Nepal border at its summit."),
    ("Mount Everest", "overgeneralisation", "Everest is the highest mountain in the entire solar system."),
    # Johannes Gutenberg
    (
        "Johannes Gutenberg",
        "faithful",
        "Gutenberg was a German craftsman and inventor who created the movable-type printing press.",
    ),
    ("Johannes Gutenberg", "faithful", "His printing press made much faster printing possible."),
    (
        "Johannes Gutenberg",
        "faithful",
        "The printing press had a profound influence on the development of the Renaissance, the Reformation and humanist movements.",
    ),
    ("Johannes Gutenberg", "recombination", "Gutenberg invented movable type in East Asia."),
    ("Johannes Gutenberg", "place", "Johannes Gutenberg was a French inventor and craftsman."),
    (
        "Johannes Gutenberg",
        "overgeneralisation",
        "The printing press led to the mass spread of literature throughout the whole world.",
    ),
    ("Johannes Gutenberg", "negation", "Movable type was not in use in East Asia before Gutenberg's invention."),
    # Black Death
    ("Black Death", "faithful", "The Black Death, a plague pandemic, struck Europe between 1346 and 1353."),
    ("Black Death", "faithful", "The bacterium Yersinia pestis was responsible for the disease."),
    (
        "Black Death",
        "faithful",
        "It ranks among the most fatal pandemics in human history, with up to 50 million deaths.",
    ),
    ("Black Death", "number", "The Black Death led to the deaths of up to 80 million people."),
    ("Black Death", "overgeneralisation", "The Black Death killed half of the world's population in the 14th century."),
    ("Black Death", "cause", "Respiratory droplets caused the Black Death."),
    ("Black Death", "number", "It killed up to 50% of Europe's 15th-century population."),
    # Apollo 11
    ("Apollo 11", "faithful", "Apollo 11 was the American spaceflight that first put humans on the Moon."),
    (
        "Apollo 11",
        "faithful",
        "Commander Neil Armstrong, command module pilot Michael Collins and lunar module pilot Buzz Aldrin crewed the mission.",
    ),
    ("Apollo 11", "faithful", "It was the fifth crewed mission of NASA's Apollo program."),
    ("Apollo 11", "number", "Apollo 11 was the third crewed mission of NASA's Apollo program."),
    ("Apollo 11", "swap", "Michael Collins was the Lunar Module Pilot of Apollo 11."),
    ("Apollo 11", "person", "The mission was commanded by John Glenn."),
    ("Apollo 11", "recombination", "Apollo 11 was the fifth mission to land humans on the Moon."),
    ("Apollo 11", "negation", "For Armstrong, Collins and Aldrin it was not their final spaceflight."),
    # Charles Darwin
    (
        "Charles Darwin",
        "faithful",
        "Darwin was an English naturalist, geologist and biologist, best known for his contributions to evolutionary biology.",
    ),
    (
        "Charles Darwin",
        "faithful",
        "In a joint presentation with Alfred Russel Wallace, he introduced his theory that evolution resulted from natural selection.",
    ),
    ("Charles Darwin", "faithful", "Darwin was buried in Westminster Abbey."),
    ("Charles Darwin", "place", "Darwin was buried in St Paul's Cathedral."),
    (
        "Charles Darwin",
        "negation",
        "Darwin's idea that all species descend from a common ancestor is now generally rejected.",
    ),
    ("Charles Darwin", "person", "Darwin introduced his theory in a joint presentation with Gregor Mendel."),
    ("Charles Darwin", "cause", "Darwin was buried in Westminster Abbey because he was English."),
    # Great Wall of China
    (
        "Great Wall of China",
        "faithful",
        "The Great Wall is a series of fortifications built across the historical northern borders of ancient Chinese states.",
    ),
    ("Great Wall of China", "faithful", "The earliest walls date to the 7th century BC."),
    ("Great Wall of China", "faithful", "The Ming dynasty built the best-known sections of the wall."),
    ("Great Wall of China", "swap", "The best-known sections of the wall were built by the Qin dynasty."),
    ("Great Wall of China", "number", "The first walls date to the 3rd century BC."),
    (
        "Great Wall of China",
        "negation",
        "The walls were built across the historical southern borders of ancient Chinese states.",
    ),
    ("Great Wall of China", "cause", "The Ming dynasty built the wall because of its wars with Japan."),
    # Edward Jenner
    (
        "Edward Jenner",
        "faithful",
        "Jenner, an English physician and scientist, created the smallpox vaccine, the first vaccine in the world.",
    ),
    ("Edward Jenner", "faithful", "The word vaccine derives from Variolae vaccinae, Jenner's term for cowpox."),
    ("Edward Jenner", "faithful", "In 1798 Jenner described the protective effect of cowpox against smallpox."),
    ("Edward Jenner", "number", "Jenner published his Inquiry into the Variolae vaccinae in 1789."),
    ("Edward Jenner", "negation", "Jenner did not create the smallpox vaccine."),
    ("Edward Jenner", "overgeneralisation", "Jenner pioneered the concept of all modern medicines."),
    ("Edward Jenner", "place", "Edward Jenner was a Dutch physician and scientist."),
    # Wright brothers
    (
        "Wright brothers",
        "faithful",
        "Orville and Wilbur Wright were American aviation pioneers credited with building and flying the first successful airplane.",
    ),
    (
        "Wright brothers",
        "faithful",
        "On December 17, 1903, they made the first controlled, sustained flight of a powered, heavier-than-air aircraft.",
    ),
    (
        "Wright brothers",
        "faithful",
        "In 1905 they built the Wright Flyer III, the first truly practical fixed-wing aircraft.",
    ),
    ("Wright brothers", "number", "The Wright brothers made their first controlled flight on December 17, 1905."),
    ("Wright brothers", "negation", "The first flight took place four miles north of Kitty Hawk."),
    ("Wright brothers", "swap", "The Wright Flyer III, developed in 1904, made the first circle."),
    ("Wright brothers", "place", "The first flight took place near Kitty Hawk, South Carolina."),
    # Chernobyl disaster
    (
        "Chernobyl disaster",
        "faithful",
        "Reactor 4 of the Chernobyl plant near Pripyat, Ukraine, exploded on 26 April 1986.",
    ),
    (
        "Chernobyl disaster",
        "faithful",
        "The Soviet government set up a 10-kilometre exclusion zone 36 hours after the accident.",
    ),
    (
        "Chernobyl disaster",
        "faithful",
        "More than 500,000 personnel were involved in the response, which cost about 18 billion rubles.",
    ),
    ("Chernobyl disaster", "number", "The exclusion zone was later expanded to 50 kilometres."),
    ("Chernobyl disaster", "negation", "The operators did not carry out the test."),
    ("Chernobyl disaster", "cause", "The disaster happened because the operators ignored safety rules."),
    (
        "Chernobyl disaster",
        "swap",
        "The government established a 30 kilometre exclusion zone 36 hours after the accident.",
    ),
    (
        "Chernobyl disaster",
        "overgeneralisation",
        "A reactor core fire spread radioactive contaminants across the entire world.",
    ),
    # Nelson Mandela
    (
        "Nelson Mandela",
        "faithful",
        "Mandela, a South African anti-apartheid revolutionary, was President of South Africa from 1994 to 1999.",
    ),
    ("Nelson Mandela", "faithful", "Mandela was the country's first black head of state."),
    ("Nelson Mandela", "faithful", "From 1991 to 1997 he was President of the African National Congress."),
    ("Nelson Mandela", "number", "Mandela served as President of South Africa from 1994 to 2004."),
    ("Nelson Mandela", "swap", "Mandela served as President of South Africa from 1991 to 1997."),
    ("Nelson Mandela", "negation", "Mandela's government did not focus on dismantling the legacy of apartheid."),
    ("Nelson Mandela", "number", "He was the country's second black head of state."),
    # Tokyo
    ("Tokyo", "faithful", "Tokyo is the capital of Japan and its most populous city."),
    ("Tokyo", "faithful", "More than 14 million people lived in the city proper as of 2023."),
    (
        "Tokyo",
        "faithful",
        "With 33 million residents in 2025, Greater Tokyo is the world's third-most populous metropolitan area.",
    ),
    ("Tokyo", "number", "The population of the city proper was over 40 million as of 2023."),
    ("Tokyo", "swap", "The city proper of Tokyo had 33 million residents as of 2025."),
    ("Tokyo", "overgeneralisation", "Tokyo is the most populous city in the world."),
    ("Tokyo", "cause", "Tokyo became the capital of Japan because it is the most populous city."),
    # Mona Lisa
    (
        "Mona Lisa",
        "faithful",
        "The Mona Lisa is a half-length portrait painted by the Italian artist Leonardo da Vinci.",
    ),
    ("Mona Lisa", "faithful", "It is considered an archetypal masterpiece of the Italian Renaissance."),
    ("Mona Lisa", "person", "The Mona Lisa is a half-length portrait painted by Raphael."),
    ("Mona Lisa", "place", "The Mona Lisa is an archetypal masterpiece of the French Renaissance."),
    # Insulin
    ("Insulin", "faithful", "Insulin is a peptide hormone made by the beta cells of the pancreatic islets."),
    ("Insulin", "faithful", "It is the main anabolic hormone of the body."),
    (
        "Insulin",
        "faithful",
        "High concentrations of insulin in the blood strongly inhibit glucose production and secretion by the liver.",
    ),
    (
        "Insulin",
        "negation",
        "Low concentrations of insulin in the blood strongly inhibit glucose production by the liver.",
    ),
    ("Insulin", "swap", "Insulin is produced by the alpha cells of the pancreatic islets."),
    # Amazon River
    (
        "Amazon River",
        "faithful",
        "By discharge volume of water, the Amazon in South America is the largest river in the world.",
    ),
    ("Amazon River", "negation", "The Amazon is the smallest river by discharge volume of water in the world."),
    ("Amazon River", "place", "The Amazon River in Central America is the largest river by discharge volume."),
    # Mount Vesuvius
    ("Mount Vesuvius", "faithful", "Vesuvius lies on the Gulf of Naples in Campania, roughly 9 km east of Naples."),
    ("Mount Vesuvius", "negation", "Mount Vesuvius lies about 9 km west of Naples."),
    ("Mount Vesuvius", "number", "Mount Vesuvius is about 90 km east of Naples."),
]

# Written after the judge's rules were settled and never used to tune them: the estimate of how the
# judge does on sentences it was not shaped by. The README reports both splits.
HOLDOUT_CASES: list[tuple[str, str, str]] = [
    (
        "Isaac Newton",
        "faithful",
        "Newton was an English polymath whose roles included mathematician, physicist, astronomer and theologian.",
    ),
    ("Isaac Newton", "faithful", "First published in 1687, his Principia Mathematica established classical mechanics."),
    (
        "Isaac Newton",
        "faithful",
        "Newton shares the credit for formulating infinitesimal calculus with the German mathematician Gottfried Wilhelm Leibniz.",
    ),
    ("Isaac Newton", "number", "Newton's Principia Mathematica was first published in 1678."),
    ("Isaac Newton", "person", "Newton shares credit for calculus with the French mathematician René Descartes."),
    ("Isaac Newton", "swap", "Leibniz developed calculus years before Newton."),
    ("Galileo Galilei", "faithful", "Galileo, an Italian astronomer, physicist and engineer, was born in Pisa."),
    ("Galileo Galilei", "faithful", "He has been called the father of observational astronomy and of modern science."),
    ("Galileo Galilei", "place", "Galileo was born in Venice, then part of the Duchy of Florence."),
    ("Galileo Galilei", "place", "Galileo Galilei was a Spanish astronomer and physicist."),
    (
        "Abraham Lincoln",
        "faithful",
        "Lincoln, the 16th president of the United States, served from 1861 until he was assassinated in 1865.",
    ),
    (
        "Abraham Lincoln",
        "faithful",
        "He led the country through the American Civil War and played a major role in abolishing slavery.",
    ),
    ("Abraham Lincoln", "number", "Abraham Lincoln was the 18th president of the United States."),
    (
        "Abraham Lincoln",
        "negation",
        "Lincoln led the United States through the Civil War but played no role in the abolition of slavery.",
    ),
    ("Abraham Lincoln", "negation", "Lincoln led the United States to defeat in the American Civil War."),
    (
        "Pompeii",
        "faithful",
        "In 79 AD the eruption of Mount Vesuvius buried Pompeii under 4 to 6 metres of volcanic ash and pumice.",
    ),
    ("Pompeii", "faithful", "Pompeii lay near Naples in the Campania region of Italy."),
    ("Pompeii", "number", "Pompeii was buried in the eruption of Mount Vesuvius in 179 AD."),
    ("Pompeii", "place", "Pompeii was buried in the eruption of Mount Etna in 79 AD."),
    ("Pompeii", "overgeneralisation", "The eruption of Vesuvius buried every city in Italy under volcanic ash."),
    (
        "Albert Einstein",
        "faithful",
        "Einstein, a theoretical physicist born in Germany, is best known for developing the theory of relativity.",
    ),
    (
        "Albert Einstein",
        "faithful",
        "He was awarded the 1921 Nobel Prize in Physics, especially for discovering the law of the photoelectric effect.",
    ),
    ("Albert Einstein", "number", "Einstein received the Nobel Prize in Physics in 1905."),
    ("Albert Einstein", "swap", "Einstein received the 1921 Nobel Prize in Physics for his theory of relativity."),
    (
        "Albert Einstein",
        "cause",
        "Einstein won the Nobel Prize because his formula became the world's most famous equation.",
    ),
    (
        "Louis Pasteur",
        "faithful",
        "Pasteur was a French chemist, pharmacist and microbiologist famous for discovering the principles of vaccination and pasteurization.",
    ),
    ("Louis Pasteur", "faithful", "His vaccines for rabies and anthrax are credited with saving millions of lives."),
    ("Louis Pasteur", "person", "Pasteurization was named after Robert Koch."),
    (
        "Louis Pasteur",
        "swap",
        "Pasteur's vaccines for smallpox and anthrax are credited with saving millions of lives.",
    ),
    (
        "Alexander Graham Bell",
        "faithful",
        "Bell, a Scottish-born inventor, scientist and engineer, is credited with patenting the first practical telephone.",
    ),
    ("Alexander Graham Bell", "faithful", "In 1885 he co-founded the American Telephone and Telegraph Company."),
    ("Alexander Graham Bell", "number", "Bell co-founded the American Telephone and Telegraph Company in 1895."),
    ("Alexander Graham Bell", "place", "Alexander Graham Bell was an Irish-born Canadian-American inventor."),
    (
        "Thomas Edison",
        "faithful",
        "Edison, an American inventor and businessman, registered 1,093 patents in the United States.",
    ),
    (
        "Thomas Edison",
        "faithful",
        "General Electric was formed when Edison General Electric merged with its competitor Thomson-Houston Electric Company.",
    ),
    ("Thomas Edison", "number", "Edison registered 2,332 patents in the United States."),
    (
        "Thomas Edison",
        "recombination",
        "Edison registered the incandescent light bulb as his first patent in the United States.",
    ),
    ("Nile", "faithful", "At 7,088 kilometres, the Nile is the world's longest river."),
    ("Nile", "faithful", "The Nile flows north through northeast Africa and empties into the Mediterranean Sea."),
    ("Nile", "negation", "The Nile is a south-flowing river that empties into the Mediterranean Sea."),
    ("Nile", "negation", "The Nile carries a much larger volume of water than the Amazon or the Congo."),
    ("Sahara", "faithful", "Covering 9,200,000 square kilometres, the Sahara is the largest hot desert in the world."),
    ("Sahara", "faithful", "The Sahara is the third-largest desert overall, after those of Antarctica and the Arctic."),
    ("Sahara", "overgeneralisation", "The Sahara is the largest desert in the world."),
    ("Sahara", "number", "The Sahara is the second-largest desert overall."),
    (
        "World War I",
        "faithful",
        "World War I, also called the Great War, was a global conflict between the Allies and the Central Powers.",
    ),
    ("World War I", "faithful", "The war caused an estimated 15 to 22 million deaths."),
    (
        "World War I",
        "faithful",
        "The conflict saw the first large-scale use of machine guns, chemical weapons and tanks.",
    ),
    ("World War I", "number", "World War I resulted in an estimated 50 to 60 million deaths."),
    ("World War I", "cause", "World War I began because of the Spanish flu pandemic."),
    (
        "French Revolution",
        "faithful",
        "The French Revolution began with the Estates General of 1789 and ended with the Coup of 18 Brumaire in November 1799.",
    ),
    (
        "French Revolution",
        "faithful",
        "Social, political and economic factors that the regime could not manage caused the revolution.",
    ),
    ("French Revolution", "number", "The French Revolution ended on 9 November 1804."),
    (
        "French Revolution",
        "negation",
        "The existing regime proved able to manage the social, political and economic factors behind the revolution.",
    ),
    ("Smallpox", "faithful", "Smallpox, an infectious disease, was caused by the Variola virus."),
    (
        "Smallpox",
        "faithful",
        "In 1980 the World Health Organization certified that smallpox had been eradicated worldwide.",
    ),
    ("Smallpox", "number", "The last naturally occurring case of smallpox was diagnosed in October 1987."),
    ("Smallpox", "overgeneralisation", "Smallpox was the only disease ever to have been eradicated."),
    ("Smallpox", "swap", "The World Health Organization certified the eradication of smallpox in October 1977."),
    (
        "James Watt",
        "faithful",
        "In 1776 the Scottish inventor James Watt improved on Newcomen's 1712 steam engine with his own Watt steam engine.",
    ),
    ("James Watt", "number", "James Watt built his Watt steam engine in 1712."),
    ("James Watt", "person", "James Watt improved on George Stephenson's steam engine."),
    (
        "Tuberculosis",
        "faithful",
        "Tuberculosis is a contagious disease usually caused by Mycobacterium tuberculosis bacteria.",
    ),
    ("Tuberculosis", "faithful", "Most tuberculosis infections have no symptoms."),
    ("Tuberculosis", "negation", "Tuberculosis cannot spread to other parts of the body."),
    ("Tuberculosis", "overgeneralisation", "All latent tuberculosis infections progress to active disease."),
]

# Written last, after every rule was in, and run once: no rule was changed because of it. Its figures
# are the closest estimate of how the judge does on sentences nobody tuned for.
FRESH_CASES: list[tuple[str, str, str]] = [
    (
        "Napoleon",
        "faithful",
        "Napoleon Bonaparte ruled as Emperor of the French from 18 May 1804 until he first abdicated in 1814.",
    ),
    ("Napoleon", "faithful", "He rose to prominence as a general during the French Revolution."),
    (
        "Napoleon",
        "faithful",
        "As a statesman Napoleon carried out many legal and administrative reforms in France and Europe.",
    ),
    ("Napoleon", "number", "Napoleon was Emperor of the French from 18 May 1799 until 1814."),
    ("Napoleon", "swap", "Napoleon's first abdication came in 1815, during the Hundred Days."),
    ("Napoleon", "place", "Napoleon led military campaigns across Europe and South America."),
    (
        "Leonardo da Vinci",
        "faithful",
        "Leonardo was an Italian polymath of the High Renaissance who worked as a painter, engineer, scientist and architect.",
    ),
    (
        "Leonardo da Vinci",
        "faithful",
        "In his notebooks he made drawings and notes on anatomy, astronomy, botany and other subjects.",
    ),
    (
        "Leonardo da Vinci",
        "person",
        "Leonardo's influence on European art was rivalled only by that of his younger contemporary Raphael.",
    ),
    ("Leonardo da Vinci", "negation", "Leonardo's fame never rested on his achievements as a painter."),
    ("Roman Empire", "faithful", "The Western Roman Empire collapsed in 476 AD."),
    ("Roman Empire", "faithful", "The Eastern Roman Empire lasted until the fall of Constantinople in 1453."),
    (
        "Roman Empire",
        "faithful",
        "The Roman Empire dominated the Mediterranean and much of Europe, Western Asia and North Africa.",
    ),
    ("Roman Empire", "number", "The Western Roman Empire collapsed in 486 AD."),
    ("Roman Empire", "swap", "The Western Roman Empire persisted until the fall of Constantinople in 1453."),
    ("Roman Empire", "overgeneralisation", "The Roman Empire dominated all of Europe and Asia."),
    ("Jupiter", "faithful", "Jupiter, the fifth planet from the Sun, is the largest planet in the Solar System."),
    ("Jupiter", "faithful", "Jupiter's diameter is eleven times that of Earth."),
    ("Jupiter", "faithful", "It takes Jupiter 11.86 years to orbit the Sun."),
    ("Jupiter", "number", "Jupiter is the sixth planet from the Sun."),
    ("Jupiter", "swap", "The diameter of Jupiter is a tenth that of Earth."),
    ("Jupiter", "negation", "Jupiter is the smallest planet in the Solar System."),
    ("Jupiter", "person", "Jupiter takes its name from the chief deity of ancient Greek religion."),
    (
        "Mahatma Gandhi",
        "faithful",
        "Gandhi, an Indian lawyer and anti-colonial nationalist, used nonviolent resistance to lead India's campaign for independence from British rule.",
    ),
    ("Mahatma Gandhi", "faithful", "The honorific Mahātmā was first applied to him in South Africa in 1914."),
    ("Mahatma Gandhi", "number", "The honorific Mahātmā was first applied to Gandhi in 1941."),
    ("Mahatma Gandhi", "place", "The honorific Mahātmā was first applied to Gandhi in Kenya."),
    ("Mahatma Gandhi", "negation", "Gandhi rejected nonviolent resistance in the campaign for India's independence."),
    ("William Shakespeare", "faithful", "Shakespeare was an English playwright, poet and actor."),
    ("William Shakespeare", "faithful", "His surviving works include some 39 plays and 154 sonnets."),
    ("William Shakespeare", "number", "Shakespeare's extant works include some 39 plays and 145 sonnets."),
    ("William Shakespeare", "cause", "Shakespeare is called England's national poet because he wrote 154 sonnets."),
    (
        "William Shakespeare",
        "overgeneralisation",
        "Shakespeare's plays have been translated into every language ever spoken.",
    ),
    ("Wolfgang Amadeus Mozart", "faithful", "Mozart, a composer of the Classical period, completed over 800 works."),
    ("Wolfgang Amadeus Mozart", "number", "Mozart completed more than 600 works in his life."),
    (
        "Taj Mahal",
        "faithful",
        "The Taj Mahal is a white marble mausoleum on the right bank of the Yamuna in Agra, India.",
    ),
    (
        "Taj Mahal",
        "faithful",
        "Shah Jahan, the fifth Mughal emperor, commissioned it in 1631 to house the tomb of his late wife Mumtaz Mahal.",
    ),
    ("Taj Mahal", "number", "The Taj Mahal was commissioned in 1613 by Shah Jahan."),
    ("Taj Mahal", "person", "The Taj Mahal was commissioned by the Mughal emperor Akbar."),
    ("Taj Mahal", "negation", "The Taj Mahal is on the left bank of the river Yamuna."),
    ("Antarctica", "faithful", "Antarctica is the southernmost continent on Earth and the least populated."),
    (
        "Antarctica",
        "faithful",
        "The Antarctic ice sheet covers most of the continent, with an average thickness of 1.9 km.",
    ),
    ("Antarctica", "number", "Antarctica is the third-largest continent."),
    ("Antarctica", "recombination", "Antarctica is about 40% larger than the Southern Ocean."),
    (
        "Mount Kilimanjaro",
        "faithful",
        "Kilimanjaro, a large dormant volcano in Tanzania, is Africa's highest mountain.",
    ),
    ("Mount Kilimanjaro", "faithful", "It rises 5,895 metres above sea level."),
    ("Mount Kilimanjaro", "negation", "Mount Kilimanjaro is a large active volcano in Tanzania."),
    ("Mount Kilimanjaro", "place", "Mount Kilimanjaro is a large dormant volcano in Kenya."),
    ("Mount Kilimanjaro", "overgeneralisation", "Mount Kilimanjaro is the highest mountain in the world."),
]
