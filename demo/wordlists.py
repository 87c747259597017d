"""Word lists the demo draws names from: children's, parents', surnames, school
places, class themes, and the local-authority numbers in UPNs. Realistic for an
English primary school; every person made from them is made up."""

GIRLS_FIRST_NAMES = (
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace",
    "Freya", "Evie", "Poppy", "Ella", "Aisha", "Maryam", "Fatima", "Zara", "Hannah", "Chloe",
    "Ruby", "Emily", "Sienna", "Layla", "Nia", "Priya", "Anaya", "Amara", "Zainab", "Maya",
    "Harper", "Willow", "Daisy", "Alice", "Phoebe", "Florence", "Matilda", "Rosie", "Erin",
    "Niamh", "Eilidh", "Seren", "Zofia", "Hana", "Mei", "Chioma", "Adaeze", "Leah", "Sofia",
    "Imani",
)  # fmt: skip
BOYS_FIRST_NAMES = (
    "Oliver", "George", "Noah", "Arthur", "Leo", "Muhammad", "Harry", "Oscar", "Archie",
    "Henry", "Theo", "Jack", "Charlie", "Freddie", "Alfie", "Jacob", "Thomas", "Isaac",
    "Finley", "Joshua", "Ethan", "Reuben", "Yusuf", "Ibrahim", "Ayaan", "Arjun", "Rohan",
    "Kai", "Mason", "Samuel", "Elijah", "Louis", "Max", "Rory", "Callum", "Cian", "Dylan",
    "Rhys", "Owen", "Jakub", "Kacper", "Tobi", "Kwame", "Tariq", "Hamza", "Zayn", "Daniel",
    "Luca", "Ezra", "Jayden",
)  # fmt: skip
WOMEN_FIRST_NAMES = (
    "Sarah", "Emma", "Laura", "Rebecca", "Claire", "Gemma", "Hayley", "Kirsty", "Nicola",
    "Rachel", "Amy", "Charlotte", "Jessica", "Victoria", "Joanne", "Lisa", "Natalie",
    "Samantha", "Stacey", "Kelly", "Amina", "Nadia", "Ayesha", "Sana", "Shabana", "Farhana",
    "Rukhsana", "Sunita", "Anjali", "Deepa", "Chiamaka", "Ngozi", "Funmi", "Abena", "Marcia",
    "Shanice", "Aneta", "Magdalena", "Joanna", "Katarzyna", "Siobhan", "Aoife", "Fiona",
    "Catrin", "Rhian", "Mei Ling", "Elena", "Tanya", "Jade", "Leanne",
)  # fmt: skip
MEN_FIRST_NAMES = (
    "David", "James", "Michael", "Daniel", "Christopher", "Mark", "Paul", "Andrew", "Richard",
    "Matthew", "Stephen", "Craig", "Lee", "Gareth", "Wayne", "Darren", "Jamie", "Ryan", "Adam",
    "Tom", "Mohammed", "Imran", "Asif", "Khalid", "Omar", "Bilal", "Rajesh", "Sanjay",
    "Vikram", "Amit", "Hardeep", "Chinedu", "Emeka", "Kofi", "Olu", "Delroy", "Marcus",
    "Tomasz", "Piotr", "Marek", "Sean", "Ciaran", "Declan", "Rhodri", "Dafydd", "Wei", "Jun",
    "Nathan", "Scott", "Kieran",
)  # fmt: skip
SURNAMES = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Thomas", "Clarke", "Jackson", "Wood", "Harris", "Edwards", "Turner", "Martin", "Cooper",
    "Hill", "Ward", "Hughes", "Moore", "Clark", "King", "Harrison", "Lewis", "Baker", "Lee",
    "Allen", "Morris", "Khan", "Scott", "Watson", "Davis", "Parker", "Bennett", "Young",
    "Phillips", "Richardson", "Mitchell", "Bailey", "Carter", "Cook", "Singh", "Shaw", "Bell",
    "Collins", "Morgan", "Kelly", "Begum", "Miller", "Cox", "Hussain", "Marshall", "Simpson",
    "Price", "Anderson", "Adams", "Wilkinson", "Ali", "Ahmed", "Foster", "Ellis", "Murphy",
    "Chapman", "Mason", "Gray", "Richards", "Webb", "Griffiths", "Hunt", "Palmer", "Campbell",
    "Holmes", "Mills", "Rogers", "Barnes", "Knight", "Okafor", "Adeyemi", "Mensah", "Osei",
    "Nowak", "Kowalski", "Chen", "Wong", "Nguyen", "O'Brien", "MacDonald", "Rahman", "Shah",
    "Mahmood", "Akhtar", "Boateng", "Fernandes",
)  # fmt: skip
SCHOOL_PLACES = (
    "Oakfield", "Meadowbank", "Ashgrove", "Riverside", "Hillcrest", "Westbrook", "Brookside",
    "Greenfields", "Beechwood", "Fairfield", "Highfield", "Kingsmead", "Langley", "Millbrook",
    "Northgate", "Orchard Vale", "Parkside", "Queensbury", "Redwood", "Southfields",
    "Thornhill", "Willowbank", "Woodlands", "Elmhurst", "Hawthorn", "Larkrise", "Rosedale",
    "Springfield", "Stonebridge", "Summerfield", "Ferncroft", "Heathside", "Foxhill",
    "Cherry Tree", "Lime Grove", "Moorside", "Castle View", "Bramley", "Harbour Side",
    "Wildflower",
)  # fmt: skip
SCHOOL_PLACE_QUALIFIERS = ("Park", "Green", "Vale", "Hill", "Lane", "Fields")
SCHOOL_KINDS = (
    "Primary School", "Primary School", "Primary School", "Primary Academy",
    "Community Primary School", "C of E Primary School",
)  # fmt: skip
CLASS_THEMES = (
    ("Robins", "Wrens", "Owls", "Kingfishers", "Swallows", "Kestrels", "Puffins", "Herons",
     "Finches", "Skylarks", "Woodpeckers", "Nightingales", "Falcons", "Swifts"),
    ("Oak", "Ash", "Willow", "Beech", "Rowan", "Hazel", "Maple", "Birch", "Cedar", "Elm",
     "Holly", "Chestnut", "Sycamore", "Juniper"),
)  # fmt: skip
# Local-authority numbers (as in UPNs) of a spread of English authorities.
LA_NUMBERS = (
    202, 204, 209, 211, 302, 306, 330, 335, 352, 373, 380, 383, 390, 801, 815, 850, 855, 873,
    886, 925,
)  # fmt: skip
ONE_CONTACT = (("Mother", True, 6), ("Father", True, 2), ("Grandmother", False, 1),
               ("Foster carer", False, 1))  # fmt: skip
TWO_CONTACTS = (
    (("Mother", True), ("Father", True), 7),
    (("Mother", True), ("Stepfather", False), 1),
    (("Father", True), ("Stepmother", False), 1),
    (("Mother", True), ("Grandmother", False), 1),
)
